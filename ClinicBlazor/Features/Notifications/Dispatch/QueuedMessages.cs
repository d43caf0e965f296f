using ClinicBlazor.Data;
using ClinicBlazor.Features.Notifications.Email;
using ClinicBlazor.Features.Notifications.Sms;
using ClinicBlazor.Features.SmsCredits;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// Sends the outbox's queued messages (booking confirmations, test notifications, low-balance
/// alerts), written composed by <see cref="OutboxQueue"/>: for each, a short transaction claims it
/// under a lease (an SMS is charged there), the send runs with no transaction open, and a short
/// transaction records the outcome: sent, another try after the backoff, or not sent for good.
/// </summary>
public sealed class QueuedMessages(
    IDbContextFactory<ClinicDbContext> dbFactory,
    ISmsSender smsSender,
    SmsCreditLedger credits,
    PrivateLinks privateLinks,
    IOptions<NotificationsOptions> options,
    ILogger<QueuedMessages> logger)
{
    public const string NoSmsCredits = "no SMS credits left";

    /// <summary>
    /// Sends what is due now (or only <paramref name="only"/>), SMS first: a low-balance alert a
    /// charge queues goes in the same call. Returns the rows as they were left.
    /// </summary>
    public async Task<IReadOnlyList<OutboxMessage>> SendDueAsync(IEmailSession session, DateTime nowUtc, IReadOnlyCollection<int>? only = null, CancellationToken cancellationToken = default)
    {
        var done = new List<OutboxMessage>();
        foreach (var channel in new[] { NoticeChannel.Sms, NoticeChannel.Email })
        {
            List<int> due;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                due = await db.Set<OutboxMessage>().AsNoTracking()
                    .Where(m => m.Channel == channel && (only == null || only.Contains(m.Id))
                                && ((m.State == OutboxMessageState.Pending && (m.NextAttemptAtUtc == null || m.NextAttemptAtUtc <= nowUtc))
                                    || (m.State == OutboxMessageState.Sending && m.LeaseUntilUtc <= nowUtc)))
                    .OrderBy(m => m.Id)
                    .Select(m => m.Id)
                    .ToListAsync(cancellationToken);
            }

            foreach (var id in due)
            {
                if (await ClaimAsync(id, nowUtc, cancellationToken) is not { } claimed)
                {
                    continue;
                }

                done.Add(claimed.State == OutboxMessageState.Sending
                    ? await SendAndRecordAsync(session, claimed, nowUtc, cancellationToken)
                    : claimed);
            }
        }

        return done;
    }

    /// <summary>When the earliest queued retry is due, for the dispatcher's next run.</summary>
    public static Task<DateTime?> NextRetryAsync(ClinicDbContext db, DateTime nowUtc, CancellationToken cancellationToken) =>
        db.Set<OutboxMessage>().Where(m => m.State == OutboxMessageState.Pending && m.NextAttemptAtUtc > nowUtc).MinAsync(m => m.NextAttemptAtUtc, cancellationToken);

    /// <summary>
    /// Step 1: Sending under a lease, one more attempt, and for an SMS its credit. An SMS whose lease
    /// ran out may have gone: it is not sent again (nor refunded). Null when it is no longer due.
    /// </summary>
    private async Task<OutboxMessage?> ClaimAsync(int id, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var retry = options.Value.Retry;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var message = await db.Set<OutboxMessage>().SingleAsync(m => m.Id == id, cancellationToken);
        if (!message.IsDue(nowUtc))
        {
            return null;
        }

        if (message.Channel == NoticeChannel.Sms && message.State == OutboxMessageState.Sending)
        {
            message.NotSent(nowUtc, "the app stopped while sending it: it may have been sent", false, TimeSpan.Zero, retry.GiveUpAfterHours);
        }
        else
        {
            message.State = OutboxMessageState.Sending;
            message.LeaseUntilUtc = nowUtc + TimeSpan.FromSeconds(options.Value.LeaseSeconds);
            message.NextAttemptAtUtc = null;
            message.AttemptCount++;
            await db.SaveChangesAsync(cancellationToken);
            if (message.Channel == NoticeChannel.Sms && !await credits.TryChargeMessageAsync(db, message.Id, $"{message.Kind} SMS to {message.To}", cancellationToken))
            {
                message.NotSent(nowUtc, NoSmsCredits, false, TimeSpan.Zero, retry.GiveUpAfterHours);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return message;
    }

    /// <summary>Step 2, the send with no transaction open, then step 3, the outcome in a short transaction.</summary>
    private async Task<OutboxMessage> SendAndRecordAsync(IEmailSession session, OutboxMessage claimed, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var outcome = claimed.Channel == NoticeChannel.Sms
            ? FromSms(await smsSender.SendAsync(new SmsMessage(claimed.To, claimed.TextBody), cancellationToken))
            : await SendEmailAsync(session, claimed, cancellationToken);

        var retry = options.Value.Retry;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var message = await db.Set<OutboxMessage>().SingleAsync(m => m.Id == claimed.Id, cancellationToken);
        if (message.State != OutboxMessageState.Sending)
        {
            return message;
        }

        if (outcome.Sent)
        {
            message.MarkSent(nowUtc, outcome.ProviderId);
        }
        else
        {
            if (message.Channel == NoticeChannel.Sms && outcome.Refund)
            {
                await credits.RefundMessageAsync(db, message.Id, $"not sent: {outcome.Error}", cancellationToken);
            }

            message.NotSent(nowUtc, outcome.Error!, outcome.MayRetry, NoticeDispatcher.Backoff(retry.FirstDelaySeconds, message.AttemptCount), retry.GiveUpAfterHours);
            logger.LogWarning("{Kind} message {OutboxMessageId} was not sent{Next}: {Error}",
                message.Kind, message.Id, message.State == OutboxMessageState.Pending ? "; it is tried again later" : "", outcome.Error);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return message;
    }

    private async Task<Outcome> SendEmailAsync(IEmailSession session, OutboxMessage message, CancellationToken cancellationToken)
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

    private sealed record Outcome(bool Sent, string? ProviderId, string? Error, bool MayRetry, bool Refund);
}
