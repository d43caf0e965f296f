using ClinicBlazor.Data;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Notifications.Email;
using ClinicBlazor.Features.Notifications.Sms;
using ClinicBlazor.Features.SmsCredits;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// The step of a queued message (a booking confirmation, a test notification, a low-balance alert),
/// one per claim: Sending under a lease with one more attempt (an SMS charged there), sent as it was
/// written (a confirmation's private link put back), and then sent, tried again after the backoff, or
/// not sent for good. The result is the row as it was left. Its transactions are narrow: each locks
/// its message's row, so on PostgreSQL they run beside the schedule changes that queue such messages
/// and beside another node's run. With <paramref name="emailCommands"/> (a run of emails) a sent email
/// is recorded by one statement instead (<see cref="TryRecordQuicklyAsync"/>).
/// </summary>
internal sealed class QueuedMessageStep(
    IDatabaseEngine engine,
    IEmailDispatchCommands? emailCommands,
    IEmailSession session,
    ISmsSender smsSender,
    SmsCreditLedger credits,
    PrivateLinks privateLinks,
    NotificationsOptions.RetryOptions retry,
    ILogger logger) : IDeliveryStep<int, OutboxMessage, QueuedMessageStep.Outcome, OutboxMessage>
{
    public sealed record Outcome(bool Sent, string? ProviderId, string? Error, bool MayRetry, bool Refund)
    {
        /// <summary>The claim left it final (no credit, or an SMS that may have gone): nothing was sent.</summary>
        public static readonly Outcome NotTried = new(false, null, null, false, false);
    }

    public bool LocksWhatItClaims => true;

    /// <summary>
    /// The row is locked first, without waiting (another node claiming or recording it keeps it), then
    /// read as it now stands. An SMS whose lease ran out may have gone: it is not sent again (nor
    /// refunded). None when it is no longer due.
    /// </summary>
    public async Task<IReadOnlyList<OutboxMessage>> ClaimAsync(ClinicDbContext db, IReadOnlyList<int> due, DateTime nowUtc, DateTime leaseUntilUtc, CancellationToken cancellationToken)
    {
        if ((await engine.LockFreeOutboxMessagesAsync(db, due, cancellationToken)).Count == 0)
        {
            return [];
        }

        var message = await db.Set<OutboxMessage>().SingleAsync(m => m.Id == due.Single(), cancellationToken);
        if (!message.IsDue(nowUtc))
        {
            return [];
        }

        if (message.Channel == NoticeChannel.Sms && message.State == OutboxMessageState.Sending)
        {
            message.MarkNotSent("the app stopped while sending it: it may have been sent");
            return [message];
        }

        message.State = OutboxMessageState.Sending;
        message.LeaseUntilUtc = leaseUntilUtc;
        message.NextAttemptAtUtc = null;
        message.AttemptCount++;
        await db.SaveChangesAsync(cancellationToken);
        if (message.Channel == NoticeChannel.Sms && !await credits.TryChargeMessageAsync(db, message.Id, $"{message.Kind} SMS to {message.To}", cancellationToken))
        {
            message.MarkNotSent(QueuedMessages.NoSmsCredits);
            await OutboxQueue.SettleFallbackAsync(db, message, cancellationToken);
        }

        return [message];
    }

    public async Task<Outcome> SendAsync(OutboxMessage claim, OutboxMessage? upcoming, CancellationToken cancellationToken) =>
        claim.State != OutboxMessageState.Sending ? Outcome.NotTried
        : claim.Channel == NoticeChannel.Sms ? FromSms(await smsSender.SendAsync(new SmsMessage(claim.To, claim.TextBody), cancellationToken))
        : await SendEmailAsync(claim, cancellationToken);

    /// <summary>
    /// A sent email, the common outcome, in one statement on the run's connection: nothing but its own row
    /// changes (an email holds no fallback: <see cref="OutboxQueue.SettleFallbackAsync"/> settles an SMS's).
    /// Null, with nothing written, for every other outcome or when the row is no longer Sending.
    /// </summary>
    public async Task<OutboxMessage?> TryRecordQuicklyAsync(OutboxMessage claim, Outcome sent, DateTime nowUtc, CancellationToken cancellationToken)
    {
        if (emailCommands is null || !sent.Sent || claim.Channel != NoticeChannel.Email
            || !await emailCommands.TryRecordQueuedSentAsync(claim.Id, sent.ProviderId!, nowUtc, cancellationToken))
        {
            return null;
        }

        claim.MarkSent(nowUtc, sent.ProviderId);
        return claim;
    }

    public async Task<OutboxMessage> RecordAsync(ClinicDbContext db, OutboxMessage claim, Outcome sent, DateTime nowUtc, CancellationToken cancellationToken)
    {
        // Locked before it is read: it is held until this outcome commits, and read as it now stands.
        await engine.LockOutboxMessagesAsync(db, [claim.Id], cancellationToken);
        var message = await db.Set<OutboxMessage>().SingleAsync(m => m.Id == claim.Id, cancellationToken);
        if (message.State != OutboxMessageState.Sending)
        {
            return message;
        }

        if (sent.Sent)
        {
            message.MarkSent(nowUtc, sent.ProviderId);
            await OutboxQueue.SettleFallbackAsync(db, message, cancellationToken);
            return message;
        }

        if (message.Channel == NoticeChannel.Sms && sent.Refund)
        {
            await credits.RefundMessageAsync(db, message.Id, $"not sent: {sent.Error}", cancellationToken);
        }

        message.NotSent(nowUtc, sent.Error!, sent.MayRetry, RetrySchedule.Backoff(retry.FirstDelaySeconds, message.AttemptCount), retry.GiveUpAfterHours);
        await OutboxQueue.SettleFallbackAsync(db, message, cancellationToken);
        // The provider's words may hold the recipient's address or number: the log names the row instead.
        logger.LogWarning("{Kind} message {OutboxMessageId} was not sent{Next}: {Error}",
            message.Kind, message.Id, message.State == OutboxMessageState.Pending ? "; it is tried again later" : "", LogRedaction.Redact(sent.Error));
        return message;
    }

    private async Task<Outcome> SendEmailAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        string? link = null;
        if (message.ProtectedLink is { } stored && (link = privateLinks.Unprotect(stored)) is null)
        {
            return new Outcome(false, null, "its private link could not be read (the app's keys have changed)", MayRetry: false, Refund: false);
        }

        try
        {
            return new Outcome(true, await session.SendAsync(message.ToEmail(link), cancellationToken), null, false, false);
        }
        catch (EmailSendException exception)
        {
            return new Outcome(false, null, exception.Message, exception.Kind != EmailFailureKind.Permanent, false);
        }
    }

    private static Outcome FromSms(SmsSendResult result) => result switch
    {
        SmsAccepted accepted => new Outcome(true, accepted.Sid, null, false, false),
        SmsAmbiguous ambiguous => new Outcome(false, null, $"it may have been sent: {ambiguous.Reason}", MayRetry: false, Refund: false),
        SmsTransientFailure transient => new Outcome(false, null, transient.Reason, MayRetry: true, Refund: true),
        SmsAccountProblem account => new Outcome(false, null, account.Message, MayRetry: true, Refund: true),
        SmsNumberProblem number => new Outcome(false, null, number.Message, MayRetry: false, Refund: true),
        SmsPermanentFailure permanent => new Outcome(false, null, permanent.Message, MayRetry: false, Refund: true),
        _ => throw new InvalidOperationException($"Unexpected SMS result {result.GetType().Name}."),
    };
}
