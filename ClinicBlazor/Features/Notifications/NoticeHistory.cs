using ClinicBlazor.Data;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications;

/// <summary>One delivery as people see it: "Email sent 10:02", "SMS skipped (no SMS credits)".</summary>
public sealed record DeliverySummary(int Id, NoticeChannel Channel, DeliveryKind Kind, DeliveryState State, string? Reason, string? AtLocal, int Attempts, string? NextAttemptLocal, bool Resent = false)
{
    /// <summary>An admin may resend it: it failed and has not been resent already.</summary>
    public bool CanResend => State == DeliveryState.Failed && !Resent;

    public string Text
    {
        get
        {
            var channel = Channel == NoticeChannel.Email ? "Email" : "SMS";
            var what = Kind == DeliveryKind.Reinstatement ? $"{channel} follow-up" : channel;
            var text = $"{what} {State.ToString().ToLowerInvariant()}";
            if (AtLocal is not null)
            {
                text += $" {AtLocal}";
            }

            if (State == DeliveryState.Retrying && NextAttemptLocal is not null)
            {
                text += $", next try {NextAttemptLocal}";
            }

            text = Reason is null ? text : $"{text} ({Reason})";
            return Resent ? $"{text}, resent" : text;
        }
    }
}

/// <summary>A cancellation notice as My Info and the Outbox show it.</summary>
public sealed record NoticeSummary(
    int Id,
    int PractitionerId,
    string PractitionerName,
    string PatientName,
    string AppointmentLocal,
    string AppointmentTypeName,
    string CancelledAtLocal,
    string CancelledBy,
    string? Reason,
    string? SuppressionReason,
    bool Reinstated,
    IReadOnlyList<DeliverySummary> Deliveries)
{
    /// <summary>Deliveries side by side ("Email sent 10:02 · SMS skipped"), or why nobody was told.</summary>
    public string Status => SuppressionReason is not null
        ? $"Not sent: {SuppressionReason}"
        : Deliveries.Count == 0 ? "Nothing to send" : string.Join(" · ", Deliveries.Select(d => d.Text));
}

public sealed record OutboxFilter(int? PractitionerId = null, DeliveryState? State = null, DateOnly? Day = null);

public sealed record OutboxMessageSummary(int Id, string CreatedLocal, string Kind, string To, string Subject, OutboxMessageState State, string? SentLocal, string? Error, string TextBody, string? HtmlBody);

/// <summary>
/// Who was told what: a practitioner's recent notices (their own, or any for an admin), the admin
/// Outbox across practitioners, Resend, the test notification and the email-settings banner.
/// </summary>
public sealed class NoticeHistory(
    IDbContextFactory<ClinicDbContext> dbFactory,
    ClinicAuthorization authorization,
    ClinicDirectory clinicDirectory,
    OutgoingEmail outgoingEmail,
    NoticeSignal signal,
    TimeProvider clock,
    Sms.ISmsSender smsSender,
    SmsCredits.SmsCreditService credits)
{
    public async Task<IReadOnlyList<NoticeSummary>> GetRecentForUserAsync(string userId, int take = 20, CancellationToken cancellationToken = default)
    {
        await RequireOwnOrAdminAsync(userId);
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

        return await SummariseAsync(db, query, 200, cancellationToken);
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

        var messages = await query.OrderByDescending(m => m.Id).Take(200).ToListAsync(cancellationToken);
        return messages.Select(m => new OutboxMessageSummary(
            m.Id, NoticeMessages.When(clinic, m.CreatedAtUtc), m.Kind, m.To, m.Subject, m.State,
            m.SentAtUtc is { } sent ? NoticeMessages.When(clinic, sent) : null, m.Error, m.TextBody, m.HtmlBody)).ToList();
    }

    public async Task<IReadOnlyList<(int Id, string Name)>> GetPractitionersAsync(CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ViewOutbox);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<Practitioner>().OrderBy(p => p.SortOrder).Select(p => new { p.Id, p.DisplayName }).ToListAsync(cancellationToken);
        return rows.Select(r => (r.Id, r.DisplayName)).ToList();
    }

    /// <summary>An admin's Resend of a failed delivery: a new delivery of the same notice and channel, due now.</summary>
    public async Task<Result> ResendAsync(int deliveryId, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ViewOutbox);
        var now = clock.GetUtcNow().UtcDateTime;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            // BEGIN IMMEDIATE: two admins clicking Resend at once make one new delivery (one SMS charge), not two.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var failed = await db.Set<NoticeDelivery>().Include(d => d.Notice).SingleOrDefaultAsync(d => d.Id == deliveryId, cancellationToken);
            if (failed is null || failed.State != DeliveryState.Failed)
            {
                return Result.Fail("Only a failed delivery can be resent.");
            }

            if (await db.Set<NoticeDelivery>().AnyAsync(d => d.ResendOfDeliveryId == deliveryId, cancellationToken))
            {
                return Result.Fail("It has already been resent.");
            }

            // It goes to the practitioner's address as it is now: the usual reason to resend is that
            // the number or mailbox has been fixed since. The failed attempts keep what they tried.
            var practitioner = await db.Set<Practitioner>().AsNoTracking().SingleAsync(p => p.Id == failed.PractitionerId, cancellationToken);
            if (failed.Channel == NoticeChannel.Sms && !string.IsNullOrEmpty(practitioner.MobileE164))
            {
                failed.Notice!.MobileE164 = practitioner.MobileE164;
            }
            else if (failed.Channel == NoticeChannel.Email && !string.IsNullOrEmpty(practitioner.NotificationEmail))
            {
                failed.Notice!.Email = practitioner.NotificationEmail;
            }

            // A resend is a new delivery: an SMS is charged again when it is handed to Twilio.
            var resend = CancellationNotices.NewDelivery(failed.Notice!, failed.Channel, failed.Kind, now, now);
            resend.ResendOfDeliveryId = failed.Id;
            db.Add(resend);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await signal.DeliveriesDueAsync(now);
        return Result.Ok();
    }

    /// <summary>Sends a test by the saved method to the saved address (My Info's Send test notification).</summary>
    public async Task<Result<string>> SendTestAsync(string userId, CancellationToken cancellationToken = default)
    {
        await RequireOwnOrAdminAsync(userId);
        Practitioner? practitioner;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            practitioner = await db.Set<Practitioner>().AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, cancellationToken);
        }

        if (practitioner is null)
        {
            return Result.Fail("Only practitioners receive cancellation notices.");
        }

        if (practitioner.NotificationMethod == NotificationMethod.Off)
        {
            return Result.Fail("Choose a notification method and save it first.", nameof(Practitioner.NotificationMethod));
        }

        // By every channel of the method: "SMS and email" tests both, each saying how it went.
        var clinic = await clinicDirectory.GetAsync(cancellationToken);
        var outcomes = new List<Result<string>>();
        if (practitioner.NotificationMethod.UsesEmail())
        {
            outcomes.Add(await SendTestEmailAsync(practitioner, clinic, cancellationToken));
        }

        if (practitioner.NotificationMethod.UsesSms())
        {
            outcomes.Add(await SendTestSmsAsync(practitioner, clinic, cancellationToken));
        }

        var said = string.Join(" ", outcomes.Select(o => o.Succeeded ? o.Value : o.Error));
        return outcomes.TrueForAll(o => o.Succeeded) ? Result<string>.Ok(said) : Result.Fail(said);
    }

    private async Task<Result<string>> SendTestEmailAsync(Practitioner practitioner, Clinic clinic, CancellationToken cancellationToken)
    {
        var sent = await outgoingEmail.SendNowAsync(NoticeMessages.Test(practitioner.NotificationEmail, practitioner.DisplayName, clinic), "Test notification", practitioner.Id, cancellationToken: cancellationToken);
        return sent.State == OutboxMessageState.Sent
            ? Result<string>.Ok($"Test email sent to {practitioner.NotificationEmail}.")
            : Result.Fail($"The test email was not sent: {sent.Error}");
    }

    /// <summary>
    /// A test SMS costs one credit, charged like a notice's (in the transaction that records it as
    /// Sending, refunded if Twilio definitely refused it). The ledger row has no delivery (id 0) and
    /// the outbox message's id as its attempt. My Info says it costs a credit before calling this.
    /// </summary>
    private async Task<Result<string>> SendTestSmsAsync(Practitioner practitioner, Clinic clinic, CancellationToken cancellationToken)
    {
        if (practitioner.MobileE164.Length == 0)
        {
            return Result.Fail("Enter your mobile number and save it first.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var body = Sms.SmsText.Test(clinic.Name, Sms.DeliveryReference.New());
        int outboxId;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var outbox = new OutboxMessage
            {
                CreatedAtUtc = now,
                Kind = "Test notification",
                Channel = NoticeChannel.Sms,
                To = practitioner.MobileE164,
                Subject = "Test SMS",
                TextBody = body,
                State = OutboxMessageState.Sending,
                PractitionerId = practitioner.Id,
            };
            db.Add(outbox);
            await db.SaveChangesAsync(cancellationToken);
            if (!await credits.TryChargeAsync(db, 0, outbox.Id, $"Test SMS to {practitioner.MobileE164}", cancellationToken))
            {
                return Result.Fail("The clinic has no SMS credits left: ask an admin to top up.");
            }

            await transaction.CommitAsync(cancellationToken);
            outboxId = outbox.Id;
        }

        var result = await smsSender.SendAsync(new Sms.SmsMessage(practitioner.MobileE164, body), cancellationToken);
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var outbox = await db.Set<OutboxMessage>().SingleAsync(m => m.Id == outboxId, cancellationToken);
            switch (result)
            {
                case Sms.SmsAccepted accepted:
                    outbox.State = OutboxMessageState.Sent;
                    outbox.SentAtUtc = now;
                    outbox.ProviderId = accepted.Sid;
                    break;
                case Sms.SmsAmbiguous ambiguous:
                    // It may have gone: the credit stays spent.
                    outbox.State = OutboxMessageState.NotSent;
                    outbox.Error = ambiguous.Reason;
                    break;
                default:
                    outbox.State = OutboxMessageState.NotSent;
                    outbox.Error = result.ToString();
                    await credits.RefundAsync(db, 0, outboxId, "test SMS not sent", cancellationToken);
                    break;
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return outbox.State == OutboxMessageState.Sent
                ? Result<string>.Ok($"Test SMS sent to {practitioner.MobileE164} (one SMS credit).")
                : Result.Fail($"The test SMS may not have been sent: {outbox.Error}");
        }
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
        var held = await db.Set<NoticeDelivery>().CountAsync(d => d.State == DeliveryState.Retrying && d.Reason == NoticeDispatcher.WaitingForEmailSettings, cancellationToken);
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
        var held = await db.Set<NoticeDelivery>().CountAsync(d => d.State == DeliveryState.Retrying && d.Reason == NoticeDispatcher.WaitingForSmsSettings, cancellationToken);
        return held == 0 ? null : $"SMS is not going out: Twilio refused the clinic's account or settings. {held} SMS notice(s) are waiting for the SMS settings (Notifications:Sms:Twilio) to be fixed; their credits were refunded.";
    }

    private async Task RequireOwnOrAdminAsync(string userId)
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
                d.Id, d.Channel, d.Kind, d.State, d.Reason,
                d.State is DeliveryState.Sent or DeliveryState.Delivered ? Local(d.SentAtUtc) : null,
                d.AttemptCount,
                Local(d.NextAttemptAtUtc),
                n.Deliveries.Any(other => other.ResendOfDeliveryId == d.Id))).ToList())).ToList();
    }
}
