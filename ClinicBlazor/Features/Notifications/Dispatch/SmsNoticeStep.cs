using ClinicBlazor.Data;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Notifications.Sms;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// SMS's step, one delivery per claim: the claim marks it Sending and charges its credit in the same
/// transaction (a re-send of an Unknown attempt is not charged again), and the outcome refunds what
/// the provider definitely refused. Every SMS is an Outbox row too, like every email.
/// </summary>
internal sealed class SmsNoticeStep(
    IDatabaseEngine engine,
    ISmsSender sender,
    SmsCreditLedger credits,
    Clinic clinic,
    NotificationsOptions.RetryOptions retry,
    Func<CancellationToken, Task>? beforeClaim,
    ILogger logger) : IDeliveryStep<int, SmsNoticeStep.Claimed, SmsSendResult, NoticeOutcome>
{
    public sealed record Claimed(int DeliveryId, int AttemptId, SmsMessage Message);

    public async ValueTask BeforeClaimAsync(CancellationToken cancellationToken)
    {
        if (beforeClaim is not null)
        {
            await beforeClaim(cancellationToken);
        }
    }

    public bool LocksWhatItClaims => true;

    /// <summary>
    /// The delivery is locked first, without waiting (another node claiming it keeps it); then it is
    /// read as it now stands, charged and marked Sending in this one transaction.
    /// </summary>
    public async Task<IReadOnlyList<Claimed>> ClaimAsync(ClinicDbContext db, IReadOnlyList<int> due, DateTime nowUtc, DateTime leaseUntilUtc, CancellationToken cancellationToken)
    {
        if ((await engine.LockFreeDeliveriesAsync(db, due, cancellationToken)).Count == 0)
        {
            return [];
        }

        var delivery = await db.Set<NoticeDelivery>().Include(d => d.Notice).ThenInclude(n => n!.Deliveries).Include(d => d.Attempts)
            .SingleAsync(d => d.Id == due.Single(), cancellationToken);
        var resend = delivery.State == DeliveryState.Unknown;
        if (delivery.State == DeliveryState.Sending || !delivery.IsClaimable(nowUtc) || (!resend && delivery.DropIfUndone(nowUtc)))
        {
            return [];
        }

        var notice = delivery.Notice!;
        var practitioner = await db.Set<Practitioner>().AsNoTracking().SingleAsync(p => p.Id == delivery.PractitionerId, cancellationToken);
        if (!resend && practitioner.SmsPausedReason is not null && practitioner.MobileE164 == notice.MobileE164)
        {
            Skip(delivery, SmsNotices.SmsPaused, nowUtc, fallBackToEmail: true);
            return [];
        }

        var left = notice.AppointmentStartUtc - nowUtc;
        if (left < SmsNotices.ShortestValidity)
        {
            if (resend)
            {
                // Too late to send again: the charged attempt never reached the provider, so it is given back.
                await RefundOpenChargesAsync(db, delivery, "not sent: the appointment was about to start", cancellationToken);
            }

            Skip(delivery, SmsNotices.AppointmentAboutToStart, nowUtc, fallBackToEmail: false);
            return [];
        }

        var referenceBefore = delivery.SmsReference;
        delivery.SmsReference ??= DeliveryReference.New();
        var body = SmsText.For(notice, delivery.Kind, clinic, delivery.SmsReference);
        var outbox = OutboxQueue.Sms(db, notice.MobileE164, body, OutboxQueue.KindOf(delivery.Kind, [notice.Kind]), delivery.PractitionerId, nowUtc);
        outbox.State = OutboxMessageState.Sending;
        await db.SaveChangesAsync(cancellationToken);
        var attempt = new DeliveryAttempt { StartedAtUtc = nowUtc, Outcome = AttemptOutcome.InProgress, Body = body, Charged = !resend, OutboxMessageId = outbox.Id };
        delivery.Attempts.Add(attempt);
        await db.SaveChangesAsync(cancellationToken);

        if (!resend && !await credits.TryChargeAsync(db, delivery.Id, attempt.Id, $"SMS to {notice.MobileE164}", cancellationToken))
        {
            // Nothing was charged: the attempt and its row go, and the notice falls back to email.
            delivery.Attempts.Remove(attempt);
            db.Remove(attempt);
            db.Remove(outbox);
            delivery.SmsReference = referenceBefore;
            Skip(delivery, SmsNotices.NoSmsCredits, nowUtc, fallBackToEmail: true);
            logger.LogWarning("SMS delivery {DeliveryId} skipped: no SMS credits left", delivery.Id);
            return [];
        }

        delivery.Claim(nowUtc, leaseUntilUtc);
        var validity = (int)Math.Min(Math.Floor(left.TotalSeconds), SmsMessage.MaxValidityPeriodSeconds);
        return [new Claimed(delivery.Id, attempt.Id, new SmsMessage(notice.MobileE164, body, validity))];
    }

    public Task<SmsSendResult> SendAsync(Claimed claim, Claimed? upcoming, CancellationToken cancellationToken) => sender.SendAsync(claim.Message, cancellationToken);

    public async Task<NoticeOutcome> RecordAsync(ClinicDbContext db, Claimed claim, SmsSendResult sent, DateTime nowUtc, CancellationToken cancellationToken)
    {
        // Locked before it is read: a reinstatement committed meanwhile is seen here (its follow-up is added).
        await engine.LockDeliveriesAsync(db, [claim.DeliveryId], cancellationToken);
        var delivery = await db.Set<NoticeDelivery>().Include(d => d.Notice).ThenInclude(n => n!.Deliveries).Include(d => d.Attempts)
            .SingleAsync(d => d.Id == claim.DeliveryId, cancellationToken);
        var attempt = delivery.Attempts.Single(a => a.Id == claim.AttemptId);
        var outbox = attempt.OutboxMessageId is { } outboxId ? await db.Set<OutboxMessage>().SingleOrDefaultAsync(m => m.Id == outboxId, cancellationToken) : null;
        if (sent is SmsAccepted accepted)
        {
            outbox?.MarkSent(nowUtc, accepted.Sid);
            return new NoticeOutcome(true, delivery.RecordSent(attempt, nowUtc, accepted.Sid));
        }

        DateTime? retryAt = null;
        switch (sent)
        {
            case SmsAmbiguous ambiguous:
                // May have gone: the charge stays, and the next run looks for it in the provider's log.
                attempt.Finish(nowUtc, AttemptOutcome.Transient, null, ambiguous.Reason);
                delivery.MarkUnknown(nowUtc, SmsNotices.ReconcilingSms);
                break;

            case SmsTransientFailure transient:
                attempt.Finish(nowUtc, AttemptOutcome.Transient, null, transient.Reason);
                await RefundOpenChargesAsync(db, delivery, $"not sent: {transient.Reason}", cancellationToken);
                delivery.RetryOrDrop(nowUtc, retry, transient.Reason, retryAfter: transient.RetryAfter);
                retryAt = delivery.State == DeliveryState.Retrying ? delivery.NextAttemptAtUtc : null;
                break;

            case SmsAccountProblem account:
                attempt.Finish(nowUtc, AttemptOutcome.Configuration, null, Describe(account.Code, account.Message));
                await RefundOpenChargesAsync(db, delivery, $"not sent: {attempt.Error}", cancellationToken);
                delivery.RetryOrDrop(nowUtc, retry, attempt.Error!, HoldCode.SmsSettings);
                break;

            case SmsNumberProblem number:
                attempt.Finish(nowUtc, AttemptOutcome.Permanent, null, Describe(number.Code, number.Message));
                await RefundOpenChargesAsync(db, delivery, $"refused: {attempt.Error}", cancellationToken);
                delivery.Fail(nowUtc, number.RecipientOptedOut ? "the number replied STOP" : $"the number was refused: {number.Message}");
                await PauseNumberAsync(db, delivery, number, nowUtc, cancellationToken);
                break;

            case SmsPermanentFailure permanent:
                attempt.Finish(nowUtc, AttemptOutcome.Permanent, null, Describe(permanent.Code, permanent.Message));
                await RefundOpenChargesAsync(db, delivery, $"refused: {attempt.Error}", cancellationToken);
                delivery.Fail(nowUtc, permanent.Message);
                break;

            default:
                throw new InvalidOperationException($"Unexpected SMS result {sent.GetType().Name}.");
        }

        outbox?.MarkNotSent(attempt.Error);
        logger.LogWarning("SMS delivery {DeliveryId} not sent: {Result}", claim.DeliveryId, LogRedaction.Redact(sent.ToString()));
        return retryAt is null ? NoticeOutcome.NotSent : NoticeOutcome.NotSent with { RetryAtUtc = retryAt };
    }

    private static string Describe(int? code, string message) => code is null ? message : $"{code}: {message}";

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
