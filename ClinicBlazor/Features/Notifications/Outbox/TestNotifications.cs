using ClinicBlazor.Data;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// My Info's Send test notification: by the saved method, to the saved address, as ordinary
/// outbox messages (on the Outbox page, retried like any other). The dispatcher sends them at once
/// so that My Info can say how it went; one that fails waits for the dispatcher's next try.
/// </summary>
public sealed class TestNotifications(
    IDbContextFactory<ClinicDbContext> dbFactory,
    ClinicAuthorization authorization,
    ClinicDirectory clinicDirectory,
    NoticeDispatcher dispatcher,
    TimeProvider clock)
{
    public const string Kind = "Test notification";

    /// <summary>At most one test a minute per practitioner.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMinutes(1);

    /// <summary>At most this many test SMS per practitioner in 24 hours (each costs the clinic a credit).</summary>
    public const int MaxTestSmsPerDay = 5;

    public async Task<Result<string>> SendTestAsync(string userId, CancellationToken cancellationToken = default)
    {
        await NoticeHistory.RequireOwnOrAdminAsync(authorization, userId);
        var clinic = await clinicDirectory.GetAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var refusals = new List<string>();
        List<int> queued;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            // One write transaction: two clicks at once cannot both pass the limits.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var practitioner = await db.Set<Practitioner>().AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, cancellationToken);
            if (practitioner is null)
            {
                return Result.Fail("Only practitioners receive cancellation notices.");
            }

            if (practitioner.NotificationMethod == NotificationMethod.Off)
            {
                return Result.Fail("Choose a notification method and save it first.", nameof(Practitioner.NotificationMethod));
            }

            var tests = db.Set<OutboxMessage>().Where(m => m.Kind == Kind && m.PractitionerId == practitioner.Id);
            if (await tests.AnyAsync(m => m.CreatedAtUtc > now - MinimumInterval, cancellationToken))
            {
                return Result.Fail("A test notification went less than a minute ago: wait a minute, then send another.");
            }

            // By every channel of the method: "SMS and email" tests both, each saying how it went.
            if (practitioner.NotificationMethod.UsesEmail())
            {
                OutboxQueue.Email(db, NoticeMessages.Test(practitioner.NotificationEmail, practitioner.DisplayName, clinic), Kind, practitioner.Id, now);
            }

            if (practitioner.NotificationMethod.UsesSms())
            {
                var smsToday = await tests.CountAsync(m => m.Channel == NoticeChannel.Sms && m.CreatedAtUtc > now.AddDays(-1), cancellationToken);
                if (practitioner.MobileE164.Length == 0)
                {
                    refusals.Add("Enter your mobile number and save it first.");
                }
                else if (smsToday >= MaxTestSmsPerDay)
                {
                    refusals.Add($"No test SMS: {MaxTestSmsPerDay} were sent in the last 24 hours, the most allowed (each costs the clinic a credit). Try again tomorrow.");
                }
                else if (await SmsCreditLedger.BalanceAsync(db, cancellationToken) == 0)
                {
                    refusals.Add("The clinic has no SMS credits left: ask an admin to top up.");
                }
                else
                {
                    OutboxQueue.Sms(db, practitioner.MobileE164, Sms.SmsText.Test(clinic.Name, Sms.DeliveryReference.New()), Kind, practitioner.Id, now);
                }
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            queued = db.ChangeTracker.Entries<OutboxMessage>().Select(e => e.Entity.Id).ToList();
        }

        var sent = queued.Count == 0 ? [] : await dispatcher.SendQueuedNowAsync(queued, now, cancellationToken);
        var said = sent.OrderBy(m => m.Channel).Select(Describe).Concat(refusals).ToList();
        return refusals.Count == 0 && sent.All(m => m.State == OutboxMessageState.Sent)
            ? Result<string>.Ok(string.Join(" ", said))
            : Result.Fail(string.Join(" ", said));
    }

    private static string Describe(OutboxMessage message) => (message.Channel, message.State) switch
    {
        (NoticeChannel.Email, OutboxMessageState.Sent) => $"Test email sent to {message.To}.",
        (NoticeChannel.Sms, OutboxMessageState.Sent) => $"Test SMS sent to {message.To} (one SMS credit).",
        (NoticeChannel.Email, OutboxMessageState.Pending) => $"The test email could not be sent yet ({message.Error}): it is tried again shortly, and shows in the Outbox.",
        (NoticeChannel.Sms, OutboxMessageState.Pending) => $"The test SMS could not be sent yet ({message.Error}): it is tried again shortly; its credit was given back.",
        (NoticeChannel.Email, _) => $"The test email was not sent: {message.Error}",
        (_, _) when message.Error == QueuedMessages.NoSmsCredits => "The clinic has no SMS credits left: ask an admin to top up.",
        (_, _) => $"The test SMS may not have been sent: {message.Error}",
    };
}
