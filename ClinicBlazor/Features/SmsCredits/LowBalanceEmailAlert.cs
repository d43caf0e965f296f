using System.Net;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Notifications.Email;
using ClinicBlazor.Features.Settings;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.SmsCredits;

/// <summary>
/// The low-balance alert: one email to each active admin, each its own row on the Outbox page (so a
/// mailbox that refuses it shows against that admin). Queued in the charging transaction and sent by
/// the dispatcher like every other email; nothing sends mail on the side.
/// </summary>
internal sealed class LowBalanceEmailAlert(NoticeLinks links, TimeProvider clock) : ILowBalanceAlert
{
    public const string Kind = "Low SMS credits";

    public async Task BalanceFellBelowThresholdAsync(ClinicDbContext db, int balance, int threshold, CancellationToken cancellationToken = default)
    {
        var clinicName = await db.Set<Clinic>().Select(c => c.Name).SingleAsync(cancellationToken);
        var admins = await (from userRole in db.UserRoles
                            join role in db.Roles on userRole.RoleId equals role.Id
                            join user in db.Users on userRole.UserId equals user.Id
                            where role.Name == Roles.Admin && user.IsActive && user.Email != null
                            orderby user.Email
                            select new { Email = user.Email!, user.DisplayName }).ToListAsync(cancellationToken);
        var nowUtc = clock.GetUtcNow().UtcDateTime;
        foreach (var admin in admins)
        {
            OutboxQueue.Email(db, Message(admin.Email, admin.DisplayName, clinicName, balance, threshold, links.BaseUrl), Kind, null, nowUtc);
        }

        // Charges happen in dispatcher runs, which send the queued emails after their SMS: no signal
        // is raised here, inside the charging transaction.
        await db.SaveChangesAsync(cancellationToken);
    }

    public static EmailMessage Message(string to, string adminName, string clinicName, int balance, int threshold, string baseUrl)
    {
        var credits = balance == 1 ? "1 SMS credit" : $"{balance} SMS credits";
        var subject = $"SMS credits are low: {balance} left";
        var page = $"{baseUrl.TrimEnd('/')}/sms-credits";
        var left = $"{clinicName} has {credits} left, below the low-balance threshold of {threshold}.";
        const string empty = "When none are left, SMS notices are skipped and practitioners are told by email instead.";
        const string once = "You receive this once each time the balance falls below the threshold; the threshold is set on the same page.";
        var text = $"Hello {adminName},\n\n{left} {empty}\n\nTop up on the SMS credits page: {page}\n\n{once}\n";
        var html = $"<div style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1f2937\"><p>Hello {E(adminName)},</p>"
                   + $"<p>{E(left)} {E(empty)}</p><p><a href=\"{E(page)}\">Top up on the SMS credits page</a></p>"
                   + $"<p style=\"color:#6b7280;font-size:12px\">{E(once)}</p></div>";
        return new EmailMessage(to, subject, text, html);
    }

    private static string E(string value) => WebUtility.HtmlEncode(value);
}
