using ClinicBlazor.Data;
using ClinicBlazor.Features.Notifications.Sms;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// SMS: one message per cancellation, several at once (<c>Notifications:MaxParallelSends</c>), each
/// with its own context. Each attempt is charged a credit in the transaction that marks it Sending
/// and refunded when the provider definitely refused it; an Unknown attempt keeps its charge and is
/// reconciled against the provider's log, and its re-send is not charged again.
/// </summary>
public sealed partial class NoticeDispatcher
{
    public const string NoSmsCredits = "no SMS credits";
    public const string SmsPaused = "SMS paused for this number";
    public const string AppointmentAboutToStart = "appointment about to start";
    public const string ReconcilingSms = "the provider may have taken it; checking its log";

    /// <summary>Under this much time to the start, an SMS is not sent at all.</summary>
    public static readonly TimeSpan ShortestValidity = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Test seam, null in production: awaited by each SMS send just before the claim transaction that
    /// charges its credit. That transaction is BEGIN IMMEDIATE, so this is the last point at which
    /// concurrent sends can be held back and released together to race for the same credit.
    /// </summary>
    internal Func<CancellationToken, Task>? BeforeSmsClaim { get; set; }

    private async Task<(int Sent, int NotSent, bool FollowUps)> DispatchSmsAsync(DateTime nowUtc, CancellationToken cancellationToken)
    {
        var due = await FindDueSmsAsync(nowUtc, cancellationToken);
        if (due.Count == 0)
        {
            return (0, 0, false);
        }

        Clinic clinic;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync(cancellationToken);
        }

        int sent = 0, notSent = 0, followUps = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelSends, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(due, parallel, async (delivery, token) =>
        {
            var outcome = await DeliverSmsAsync(delivery, clinic, nowUtc, token);
            if (outcome.Sent)
            {
                Interlocked.Increment(ref sent);
            }
            else if (outcome.Tried)
            {
                Interlocked.Increment(ref notSent);
            }

            if (outcome.FollowUp)
            {
                Interlocked.Increment(ref followUps);
            }
        });
        return (sent, notSent, followUps > 0);
    }

    /// <summary>A due SMS delivery; one that may already have gone (Unknown, or Sending past its lease) is looked up first.</summary>
    private sealed record DueSms(int DeliveryId, bool MayHaveGone);

    private async Task<List<DueSms>> FindDueSmsAsync(DateTime nowUtc, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var open = await db.Set<NoticeDelivery>().AsNoTracking()
            .Where(d => d.Channel == NoticeChannel.Sms
                        && (d.State == DeliveryState.Pending || d.State == DeliveryState.Retrying || d.State == DeliveryState.Sending || d.State == DeliveryState.Unknown))
            .Select(d => new { d.Id, d.PractitionerId, d.Kind, d.State, d.DueAtUtc, d.NextAttemptAtUtc, d.LeaseUntilUtc })
            .ToListAsync(cancellationToken);

        // The same batch time as the practitioner's email: a window after the oldest pending cancellation.
        var batchDue = open.Where(d => d.State == DeliveryState.Pending && d.Kind == DeliveryKind.Cancellation)
            .GroupBy(d => d.PractitionerId)
            .ToDictionary(g => g.Key, g => g.Min(d => d.DueAtUtc));
        return open.Where(d => d.State switch
            {
                DeliveryState.Pending when d.Kind == DeliveryKind.Cancellation => batchDue[d.PractitionerId] <= nowUtc,
                DeliveryState.Pending => d.DueAtUtc <= nowUtc,
                DeliveryState.Retrying => d.NextAttemptAtUtc <= nowUtc,
                DeliveryState.Sending => d.LeaseUntilUtc <= nowUtc,
                DeliveryState.Unknown => d.NextAttemptAtUtc is null || d.NextAttemptAtUtc <= nowUtc,
                _ => false,
            })
            .OrderBy(d => d.Id)
            .Select(d => new DueSms(d.Id, d.State is DeliveryState.Unknown or DeliveryState.Sending))
            .ToList();
    }

    private sealed record SmsOutcome(bool Tried, bool Sent, bool FollowUp)
    {
        public static readonly SmsOutcome Nothing = new(false, false, false);
    }

    private sealed record SmsClaim(int DeliveryId, int AttemptId, SmsMessage Message);

    private async Task<SmsOutcome> DeliverSmsAsync(DueSms due, Clinic clinic, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var deliveryId = due.DeliveryId;

        // A delivery that may have gone (Unknown, or Sending when the process died) is looked up first;
        // a Pending or Retrying one cannot have, and skips that write transaction.
        var reconciled = due.MayHaveGone ? await ReconcileAsync(deliveryId, nowUtc, cancellationToken) : null;
        if (reconciled is not null)
        {
            return reconciled;
        }

        if (BeforeSmsClaim is { } hold)
        {
            await hold(cancellationToken);
        }

        var claim = await ClaimSmsAsync(deliveryId, clinic, nowUtc, cancellationToken);
        if (claim is null)
        {
            return SmsOutcome.Nothing;
        }

        var result = await smsSender.SendAsync(claim.Message, cancellationToken);
        return await RecordSmsOutcomeAsync(claim, result, nowUtc, cancellationToken);
    }

    /// <summary>
    /// For an Unknown delivery (or one whose lease expired in Sending): found in the provider's log →
    /// Sent; not found → null, and the caller re-sends under the same charge. An outcome when there
    /// is nothing more to do now (found, the log could not be read, or the delivery is not ambiguous).
    /// </summary>
    private async Task<SmsOutcome?> ReconcileAsync(int deliveryId, DateTime nowUtc, CancellationToken cancellationToken)
    {
        DeliveryAttempt? attempt;
        string to;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var delivery = await db.Set<NoticeDelivery>().Include(d => d.Notice).Include(d => d.Attempts)
                .SingleAsync(d => d.Id == deliveryId, cancellationToken);
            if (delivery.State == DeliveryState.Sending && delivery.IsDue(nowUtc))
            {
                delivery.MarkUnknown(nowUtc, ReconcilingSms);
                await db.SaveChangesAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            if (delivery.State != DeliveryState.Unknown)
            {
                return null;
            }

            attempt = delivery.Attempts.Where(a => a.Body is not null).MaxBy(a => a.Id);
            to = delivery.Notice!.MobileE164;
        }

        if (attempt is null)
        {
            return null;
        }

        SmsLogEntry? match;
        try
        {
            var log = await smsSender.ListRecentToAsync(to, cancellationToken);
            match = SmsReconciliation.FindMatch(log, attempt.Body!, attempt.StartedAtUtc);
        }
        catch (SmsLogUnavailableException exception)
        {
            logger.LogWarning("SMS delivery {DeliveryId} stays Unknown: the provider's log could not be read ({Error})", deliveryId, exception.Message);
            return new SmsOutcome(true, false, false);
        }

        if (match is null)
        {
            return null;
        }

        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var delivery = await db.Set<NoticeDelivery>().Include(d => d.Notice).ThenInclude(n => n!.Deliveries).Include(d => d.Attempts)
                .SingleAsync(d => d.Id == deliveryId, cancellationToken);
            if (delivery.State != DeliveryState.Unknown)
            {
                return SmsOutcome.Nothing;
            }

            var found = delivery.Attempts.Single(a => a.Id == attempt.Id);
            found.Outcome = AttemptOutcome.Sent;
            found.ProviderId = match.Sid;
            found.FinishedAtUtc ??= nowUtc;
            found.Error = null;
            delivery.MarkSent(nowUtc, match.Sid);
            var followUp = delivery.Notice!.FollowUpIfReinstated(delivery, nowUtc);
            if (found.OutboxMessageId is { } outboxId
                && await db.Set<OutboxMessage>().SingleOrDefaultAsync(m => m.Id == outboxId, cancellationToken) is { } outbox)
            {
                outbox.State = OutboxMessageState.Sent;
                outbox.SentAtUtc ??= nowUtc;
                outbox.ProviderId = match.Sid;
                outbox.Error = null;
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new SmsOutcome(true, true, followUp);
        }
    }

    /// <summary>Step 1: a short transaction marks the delivery Sending under a lease, writes the attempt and charges it (unless it re-sends an Unknown one).</summary>
    private async Task<SmsClaim?> ClaimSmsAsync(int deliveryId, Clinic clinic, DateTime nowUtc, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var delivery = await db.Set<NoticeDelivery>().Include(d => d.Notice).ThenInclude(n => n!.Deliveries).Include(d => d.Attempts)
            .SingleAsync(d => d.Id == deliveryId, cancellationToken);
        var resend = delivery.State == DeliveryState.Unknown;
        if (delivery.State == DeliveryState.Sending || !delivery.IsClaimable(nowUtc))
        {
            return null;
        }

        var notice = delivery.Notice!;
        if (!resend && notice.ReinstatedAtUtc is not null && delivery.Drop(nowUtc))
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return null;
        }

        var practitioner = await db.Set<Practitioner>().AsNoTracking().SingleAsync(p => p.Id == delivery.PractitionerId, cancellationToken);
        if (!resend && practitioner.SmsPausedReason is not null && practitioner.MobileE164 == notice.MobileE164)
        {
            Skip(delivery, SmsPaused, nowUtc, fallBackToEmail: true);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return null;
        }

        var left = notice.AppointmentStartUtc - nowUtc;
        if (left < ShortestValidity)
        {
            if (resend)
            {
                // Too late to send again: the charged attempt never reached the provider, so it is given back.
                await RefundOpenChargesAsync(db, delivery, "not sent: the appointment was about to start", cancellationToken);
            }

            Skip(delivery, AppointmentAboutToStart, nowUtc, fallBackToEmail: false);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return null;
        }

        delivery.SmsReference ??= DeliveryReference.New();
        var body = SmsText.For(notice, delivery.Kind, clinic, delivery.SmsReference);
        // Every SMS is on the Outbox page too, like every email (with the development sink, that is where it is read).
        var outbox = new OutboxMessage
        {
            CreatedAtUtc = nowUtc,
            Kind = OutboxKind(delivery.Kind),
            Channel = NoticeChannel.Sms,
            To = notice.MobileE164,
            Subject = "SMS",
            TextBody = body,
            State = OutboxMessageState.Sending,
            PractitionerId = delivery.PractitionerId,
        };
        db.Add(outbox);
        await db.SaveChangesAsync(cancellationToken);
        var attempt = new DeliveryAttempt { StartedAtUtc = nowUtc, Outcome = AttemptOutcome.InProgress, Body = body, Charged = !resend, OutboxMessageId = outbox.Id };
        delivery.Attempts.Add(attempt);
        delivery.Claim(nowUtc, nowUtc + Lease);
        await db.SaveChangesAsync(cancellationToken);

        if (!resend && !await credits.TryChargeAsync(db, delivery.Id, attempt.Id, $"SMS to {notice.MobileE164}", cancellationToken))
        {
            await transaction.RollbackAsync(cancellationToken);
            await SkipForWantOfCreditsAsync(deliveryId, nowUtc, cancellationToken);
            return null;
        }

        await transaction.CommitAsync(cancellationToken);
        var validity = (int)Math.Min(Math.Floor(left.TotalSeconds), SmsMessage.MaxValidityPeriodSeconds);
        return new SmsClaim(delivery.Id, attempt.Id, new SmsMessage(notice.MobileE164, body, validity));
    }

    private async Task SkipForWantOfCreditsAsync(int deliveryId, DateTime nowUtc, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var delivery = await db.Set<NoticeDelivery>().Include(d => d.Notice).ThenInclude(n => n!.Deliveries)
            .SingleAsync(d => d.Id == deliveryId, cancellationToken);
        if (delivery.State is not (DeliveryState.Pending or DeliveryState.Retrying))
        {
            return;
        }

        Skip(delivery, NoSmsCredits, nowUtc, fallBackToEmail: true);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogWarning("SMS delivery {DeliveryId} skipped: no SMS credits left", deliveryId);
    }

    /// <summary>Skipped; when it says so and the notice has an email address but no email delivery, the notice falls back to email.</summary>
    private static void Skip(NoticeDelivery delivery, string reason, DateTime nowUtc, bool fallBackToEmail)
    {
        delivery.Skip(nowUtc, reason);
        var notice = delivery.Notice!;
        if (fallBackToEmail && notice.Email.Length > 0
            && !notice.Deliveries.Any(d => d.Channel == NoticeChannel.Email && d.Kind == delivery.Kind))
        {
            notice.AddDelivery(NoticeChannel.Email, delivery.Kind, nowUtc, nowUtc);
        }
    }

    /// <summary>Step 3: a short transaction records what the provider said, refunding what it definitely refused.</summary>
    private async Task<SmsOutcome> RecordSmsOutcomeAsync(SmsClaim claim, SmsSendResult result, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var retry = options.Value.Retry;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var delivery = await db.Set<NoticeDelivery>().Include(d => d.Notice).ThenInclude(n => n!.Deliveries).Include(d => d.Attempts)
            .SingleAsync(d => d.Id == claim.DeliveryId, cancellationToken);
        var attempt = delivery.Attempts.Single(a => a.Id == claim.AttemptId);
        attempt.FinishedAtUtc = nowUtc;
        var followUp = false;
        var sent = false;

        switch (result)
        {
            case SmsAccepted accepted:
                attempt.Outcome = AttemptOutcome.Sent;
                attempt.ProviderId = accepted.Sid;
                delivery.MarkSent(nowUtc, accepted.Sid);
                followUp = delivery.Notice!.FollowUpIfReinstated(delivery, nowUtc);
                sent = true;
                break;

            case SmsAmbiguous ambiguous:
                // May have gone: the charge stays, and the next run looks for it in the provider's log.
                attempt.Outcome = AttemptOutcome.Transient;
                attempt.Error = ambiguous.Reason;
                delivery.MarkUnknown(nowUtc, ReconcilingSms);
                break;

            case SmsTransientFailure transient:
                attempt.Outcome = AttemptOutcome.Transient;
                attempt.Error = transient.Reason;
                await RefundOpenChargesAsync(db, delivery, $"not sent: {transient.Reason}", cancellationToken);
                RetryLater(delivery, transient.Reason, transient.RetryAfter, null, retry, nowUtc);
                break;

            case SmsAccountProblem account:
                attempt.Outcome = AttemptOutcome.Configuration;
                attempt.Error = Describe(account.Code, account.Message);
                await RefundOpenChargesAsync(db, delivery, $"not sent: {attempt.Error}", cancellationToken);
                RetryLater(delivery, attempt.Error, null, HoldCode.SmsSettings, retry, nowUtc);
                break;

            case SmsNumberProblem number:
                attempt.Outcome = AttemptOutcome.Permanent;
                attempt.Error = Describe(number.Code, number.Message);
                await RefundOpenChargesAsync(db, delivery, $"refused: {attempt.Error}", cancellationToken);
                delivery.Fail(nowUtc, number.RecipientOptedOut ? "the number replied STOP" : $"the number was refused: {number.Message}");
                await PauseNumberAsync(db, delivery, number, nowUtc, cancellationToken);
                break;

            case SmsPermanentFailure permanent:
                attempt.Outcome = AttemptOutcome.Permanent;
                attempt.Error = Describe(permanent.Code, permanent.Message);
                await RefundOpenChargesAsync(db, delivery, $"refused: {attempt.Error}", cancellationToken);
                delivery.Fail(nowUtc, permanent.Message);
                break;

            default:
                throw new InvalidOperationException($"Unexpected SMS result {result.GetType().Name}.");
        }

        if (attempt.OutboxMessageId is { } outboxId
            && await db.Set<OutboxMessage>().SingleOrDefaultAsync(m => m.Id == outboxId, cancellationToken) is { } outbox)
        {
            outbox.State = sent ? OutboxMessageState.Sent : OutboxMessageState.NotSent;
            outbox.SentAtUtc = sent ? nowUtc : null;
            outbox.ProviderId = attempt.ProviderId;
            outbox.Error = attempt.Error;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (!sent)
        {
            logger.LogWarning("SMS delivery {DeliveryId} not sent: {Result}", claim.DeliveryId, result);
        }

        return new SmsOutcome(true, sent, followUp);
    }

    private static string Describe(int? code, string message) => code is null ? message : $"{code}: {message}";

    /// <summary>Retrying after the backoff (or the provider's Retry-After, if longer), or Dropped when the cancellation was undone meanwhile.</summary>
    private static void RetryLater(NoticeDelivery delivery, string reason, TimeSpan? retryAfter, HoldCode? waitingFor, NotificationsOptions.RetryOptions retry, DateTime nowUtc)
    {
        if (delivery.Notice!.ReinstatedAtUtc is not null && delivery.Drop(nowUtc))
        {
            return;
        }

        var delay = Backoff(retry.FirstDelaySeconds, delivery.AttemptCount);
        if (retryAfter is { } after && after > delay)
        {
            delay = after;
        }

        delivery.RetryLater(nowUtc, delay, retry.GiveUpAfterHours, reason, waitingFor);
    }

    /// <summary>Every charged attempt of the delivery not yet refunded gets its credit back (a repeat refunds nothing).</summary>
    private async Task RefundOpenChargesAsync(ClinicDbContext db, NoticeDelivery delivery, string reason, CancellationToken cancellationToken)
    {
        foreach (var charged in delivery.Attempts.Where(a => a.Charged && a.Id > 0).ToList())
        {
            await credits.RefundAsync(db, delivery.Id, charged.Id, reason, cancellationToken);
        }
    }

    private static async Task PauseNumberAsync(ClinicDbContext db, NoticeDelivery delivery, SmsNumberProblem problem, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var practitioner = await db.Set<Practitioner>().SingleAsync(p => p.Id == delivery.PractitionerId, cancellationToken);
        if (practitioner.MobileE164 != delivery.Notice!.MobileE164)
        {
            return; // The number has been changed since: the new one is not known to be wrong.
        }

        practitioner.SmsPausedReason = problem.RecipientOptedOut
            ? "This number replied STOP to the clinic's SMS. Text START to the clinic's number, then save your number again."
            : $"SMS to this number were refused ({problem.Message}). Check your mobile number and save it again.";
        practitioner.SmsPausedAtUtc = nowUtc;
    }
}
