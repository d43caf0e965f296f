using ClinicBlazor.Data;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// Who was told what: a practitioner's recent notices (their own, or any for an admin), the admin
/// Outbox across practitioners, and the settings banners. Read only.
/// </summary>
public sealed class NoticeHistory(
    IDbContextFactory<ClinicDbContext> dbFactory,
    ClinicAuthorization authorization,
    ClinicDirectory clinicDirectory)
{
    public async Task<IReadOnlyList<NoticeSummary>> GetRecentForUserAsync(string userId, int take = 20, CancellationToken cancellationToken = default)
    {
        await RequireOwnOrAdminAsync(authorization, userId);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var practitionerId = await db.Set<Practitioner>().Where(p => p.UserId == userId).Select(p => (int?)p.Id).SingleOrDefaultAsync(cancellationToken);
        if (practitionerId is null)
        {
            return [];
        }

        var query = db.Set<CancellationNotice>().Where(n => n.PractitionerId == practitionerId);
        return await SummariseAsync(db, query, take, cancellationToken);
    }

    public async Task<IReadOnlyList<NoticeSummary>> GetOutboxNoticesAsync(OutboxFilter filter, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ViewOutbox);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Set<CancellationNotice>().AsQueryable();
        if (filter.PractitionerId is { } practitionerId)
        {
            query = query.Where(n => n.PractitionerId == practitionerId);
        }

        if (filter.State is { } state)
        {
            query = query.Where(n => n.Deliveries.Any(d => d.State == state));
        }

        if (filter.Day is { } day)
        {
            var clinic = await clinicDirectory.GetAsync(cancellationToken);
            var from = clinic.ToUtc(day.ToDateTime(TimeOnly.MinValue));
            var to = clinic.ToUtc(day.AddDays(1).ToDateTime(TimeOnly.MinValue));
            query = query.Where(n => n.CancelledAtUtc >= from && n.CancelledAtUtc < to);
        }

        if (filter.Term is { } term)
        {
            // Lower-cased on both sides, the same on every database provider (CA1862's overload with a
            // StringComparison has no SQL translation).
#pragma warning disable CA1862
            query = query.Where(n => (n.PatientFirstName + " " + n.PatientLastName).ToLower().Contains(term)
                || n.Practitioner!.DisplayName.ToLower().Contains(term));
#pragma warning restore CA1862
        }

        return await SummariseAsync(db, query, filter.Limit, cancellationToken);
    }

    public async Task<IReadOnlyList<OutboxMessageSummary>> GetOutgoingMessagesAsync(OutboxFilter filter, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ViewOutbox);
        var clinic = await clinicDirectory.GetAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Set<OutboxMessage>().AsNoTracking();
        if (filter.PractitionerId is { } practitionerId)
        {
            query = query.Where(m => m.PractitionerId == practitionerId);
        }

        if (filter.Day is { } day)
        {
            var from = clinic.ToUtc(day.ToDateTime(TimeOnly.MinValue));
            var to = clinic.ToUtc(day.AddDays(1).ToDateTime(TimeOnly.MinValue));
            query = query.Where(m => m.CreatedAtUtc >= from && m.CreatedAtUtc < to);
        }

        if (filter.Term is { } term)
        {
            // The patient's name is in the message's text; the practitioner is the one it went to.
#pragma warning disable CA1862 // as above: translated to SQL
            query = query.Where(m => m.Subject.ToLower().Contains(term) || m.TextBody.ToLower().Contains(term)
                || db.Set<Practitioner>().Any(p => p.Id == m.PractitionerId && p.DisplayName.ToLower().Contains(term)));
#pragma warning restore CA1862
        }

        var messages = await query.OrderByDescending(m => m.Id).Take(filter.Limit).ToListAsync(cancellationToken);
        return messages.Select(m => new OutboxMessageSummary(
            m.Id, NoticeMessages.When(clinic, m.CreatedAtUtc), m.Kind, m.To, m.Subject, m.State,
            m.SentAtUtc is { } sent ? NoticeMessages.When(clinic, sent) : null, m.Error, m.TextBody, m.HtmlBody, m.Channel)).ToList();
    }

    public async Task<IReadOnlyList<(int Id, string Name)>> GetPractitionersAsync(CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ViewOutbox);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<Practitioner>().OrderBy(p => p.SortOrder).Select(p => new { p.Id, p.DisplayName }).ToListAsync(cancellationToken);
        return rows.Select(r => (r.Id, r.DisplayName)).ToList();
    }

    /// <summary>For the admin banner: a sentence when email is held because its settings are wrong, else null.</summary>
    public async Task<string?> GetEmailSettingsProblemAsync(CancellationToken cancellationToken = default)
    {
        var actor = await authorization.GetActorAsync();
        if (actor is null || !actor.IsAdmin)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var held = await db.Set<NoticeDelivery>().CountAsync(d => d.State == DeliveryState.Retrying && d.WaitingFor == HoldCode.EmailSettings, cancellationToken);
        return held == 0 ? null : $"Email is not going out: the mail server refused the app's sign-in. {held} notice(s) are waiting for the email settings (Notifications:Email:Smtp) to be fixed.";
    }

    /// <summary>For admins: SMS is held because Twilio refused the account or its settings (20003, 21606, 21408).</summary>
    public async Task<string?> GetSmsSettingsProblemAsync(CancellationToken cancellationToken = default)
    {
        var actor = await authorization.GetActorAsync();
        if (actor is null || !actor.IsAdmin)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var held = await db.Set<NoticeDelivery>().CountAsync(d => d.State == DeliveryState.Retrying && d.WaitingFor == HoldCode.SmsSettings, cancellationToken);
        return held == 0 ? null : $"SMS is not going out: Twilio refused the clinic's account or settings. {held} SMS notice(s) are waiting for the SMS settings (Notifications:Sms:Twilio) to be fixed; their credits were refunded.";
    }

    /// <summary>What changed, in SPEC's words: "Cancelled", "Moved from Mon 30 Nov 09:30", "Moved to Tom Nguyen from Mon 30 Nov 09:30", "New booking", "New booking, moved from Priya Patel".</summary>
    public static string Change(Clinic clinic, CancellationNotice notice) => notice.Kind switch
    {
        NoticeKind.Move => $"Moved{(notice.OtherPractitionerName is { } to ? $" to {to}" : "")}"
                           + (notice.PreviousStartUtc is { } before ? $" from {NoticeMessages.When(clinic, before)}" : ""),
        NoticeKind.NewBooking => notice.OtherPractitionerName is { } from ? $"New booking, moved from {from}" : "New booking",
        _ => "Cancelled",
    };

    /// <summary>A practitioner's own notices, or any for an admin.</summary>
    internal static async Task RequireOwnOrAdminAsync(ClinicAuthorization authorization, string userId)
    {
        var actor = await authorization.RequireSignedInAsync();
        if (actor.UserId != userId && !actor.IsAdmin)
        {
            throw new ClinicAuthorizationException($"{actor.DisplayName} may only see their own notices.");
        }
    }

    private static async Task<IReadOnlyList<NoticeSummary>> SummariseAsync(ClinicDbContext db, IQueryable<CancellationNotice> query, int take, CancellationToken cancellationToken)
    {
        var clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync(cancellationToken);
        var notices = await query.AsNoTracking()
            .Include(n => n.Deliveries)
            .Include(n => n.Practitioner)
            .OrderByDescending(n => n.CancelledAtUtc).ThenByDescending(n => n.Id)
            .Take(take)
            .ToListAsync(cancellationToken);
        string? Local(DateTime? utc) => utc is { } value ? clinic.ToLocal(value).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture) : null;
        return notices.Select(n => new NoticeSummary(
            n.Id,
            n.PractitionerId,
            n.Practitioner?.DisplayName ?? "",
            n.PatientName,
            NoticeMessages.When(clinic, n.AppointmentStartUtc),
            n.AppointmentTypeName,
            NoticeMessages.When(clinic, n.CancelledAtUtc),
            n.CancelledBy,
            n.Reason,
            n.SuppressionReason,
            n.ReinstatedAtUtc is not null,
            n.Deliveries.OrderBy(d => d.Id).Select(d => new DeliverySummary(
                d.Id, d.Channel, d.Kind, d.State, d.WaitingFor is { } held ? held.Sentence() : d.Reason,
                d.State is DeliveryState.Sent or DeliveryState.Delivered ? Local(d.SentAtUtc) : null,
                d.AttemptCount,
                Local(d.NextAttemptAtUtc),
                n.Deliveries.Any(other => other.ResendOfDeliveryId == d.Id))).ToList(),
            n.Practitioner?.UserId ?? "",
            n.Kind,
            Change(clinic, n))).ToList();
    }
}
