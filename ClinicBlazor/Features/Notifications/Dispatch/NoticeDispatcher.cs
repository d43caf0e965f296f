using ClinicBlazor.Features.Common;
using System.Diagnostics;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Notifications.Email;
using ClinicBlazor.Features.Notifications.Sms;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Notifications;

/// <summary>What one dispatcher run did.</summary>
public sealed record DispatchResult(int EmailsSent, int EmailsNotSent, int SmsSent = 0, int SmsNotSent = 0);

/// <summary>
/// Sends what is due at a given time: claims deliveries under a lease, groups a practitioner's
/// email into one digest, and sends over one connection per run. Around every send: a short
/// transaction to claim (for email, one for a chunk of due emails), the send with no transaction
/// open, a short transaction for the outcome.
/// </summary>
public sealed partial class NoticeDispatcher(
    IDbContextFactory<ClinicDbContext> dbFactory,
    IEmailSender sender,
    ISmsSender smsSender,
    QueuedMessages queued,
    SmsCreditLedger credits,
    IDatabaseEngine engine,
    IOptions<NotificationsOptions> options,
    NoticeLinks links,
    NoticeSignal signal,
    ILogger<NoticeDispatcher> logger) : IDisposable
{
    /// <summary>How long a claimed delivery stays ours (<c>Notifications:LeaseSeconds</c>); after that (the process died) it is taken up again.</summary>
    public TimeSpan Lease => TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    /// <summary>
    /// Due emails claimed in one transaction. Bigger chunks spend less per email on claiming; a
    /// crash re-sends at most a chunk's claimed-but-unrecorded emails, so it stays small.
    /// </summary>
    internal const int ClaimChunk = 50;

    // The Quartz job runs one at a time; tests and the job may still call in together.
    private readonly SemaphoreSlim gate = new(1, 1);

    public void Dispose() => gate.Dispose();

    public async Task<DispatchResult> DispatchDueAsync(DateTime nowUtc, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        var runWatch = Stopwatch.StartNew();
        try
        {
            // SMS first: a delivery skipped for want of credits falls back to an email that goes in this same run.
            var (smsSent, smsNotSent, smsFollowUps) = await DispatchSmsAsync(nowUtc, cancellationToken);
            // One SMTP session for the run: queued messages (a low-balance alert a charge just queued
            // among them), then the notices' emails.
            await using var session = await sender.OpenSessionAsync(cancellationToken);
            await queued.SendDueAsync(session, nowUtc, null, cancellationToken);
            var batches = await FindDueAsync(nowUtc, cancellationToken);
            if (batches.Count == 0)
            {
                if (smsFollowUps)
                {
                    await signal.DeliveriesDueAsync(nowUtc);
                }

                await ScheduleNextRunAsync(nowUtc, cancellationToken);
                return new(0, 0, smsSent, smsNotSent);
            }

            Clinic clinic;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync(cancellationToken);
            }

            int sent = 0, notSent = 0;
            var followUps = smsFollowUps;

            // One context and one connection for the run's own writes (its pragmas run once), and
            // one SMTP connection: per email only the send and a small outcome write remain.
            await using var runDb = await dbFactory.CreateDbContextAsync(cancellationToken);
            await runDb.Database.OpenConnectionAsync(cancellationToken);
            using var commands = engine.EmailDispatchCommands(runDb);

            await engine.BeginDrainAsync(runDb, cancellationToken);
            try
            {
                foreach (var chunk in batches.Chunk(ClaimChunk))
                {
                    var claims = await ClaimAsync(runDb, commands, chunk, clinic, nowUtc, cancellationToken);
                    var leaseTakenAt = Stopwatch.GetTimestamp();
                    for (var i = 0; i < claims.Count; i++)
                    {
                        var claimed = claims[i];

                        // A slow mail server must not let the lease of the chunk's later emails run out
                        // while they wait their turn (another node would take them and send them too).
                        var held = Stopwatch.GetElapsedTime(leaseTakenAt);
                        if (held > Lease / 2)
                        {
                            await RenewLeaseAsync(runDb, claims.Skip(i), nowUtc + runWatch.Elapsed + Lease, cancellationToken);
                            leaseTakenAt = Stopwatch.GetTimestamp();
                        }

                        string? providerId = null;
                        EmailSendException? failure = null;
                        try
                        {
                            // The next email's MIME is built on another thread while this one is on the wire.
                            var sending = session.SendAsync(claimed.Message, cancellationToken);
                            if (i + 1 < claims.Count)
                            {
                                session.Prepare(claims[i + 1].Message);
                            }

                            providerId = await sending;
                            sent++;
                        }
                        catch (EmailSendException exception)
                        {
                            failure = exception;
                            notSent++;
                            logger.LogWarning("Email {OutboxMessageId} was not sent ({Kind}): {Error}", claimed.OutboxMessageId, exception.Kind, LogRedaction.Redact(exception.Message));
                        }

                        followUps |= failure is null
                            ? await RecordSentAsync(commands, claimed, providerId!, nowUtc, cancellationToken)
                            : await RecordOutcomeAsync(claimed, providerId, failure, nowUtc, cancellationToken);
                    }
                }
            }
            finally
            {
                await engine.EndDrainAsync(runDb);
            }

            if (followUps)
            {
                await signal.DeliveriesDueAsync(nowUtc);
            }

            await ScheduleNextRunAsync(nowUtc, cancellationToken);
            return new(sent, notSent, smsSent, smsNotSent);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Sends these queued messages now, outside the periodic run (My Info's Send test notification
    /// waits for its outcome). Claims keep it safe beside a run; what fails waits for the next run.
    /// </summary>
    public async Task<IReadOnlyList<OutboxMessage>> SendQueuedNowAsync(IReadOnlyCollection<int> outboxMessageIds, DateTime nowUtc, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<OutboxMessage> done;
        await using (var session = await sender.OpenSessionAsync(cancellationToken))
        {
            done = await queued.SendDueAsync(session, nowUtc, outboxMessageIds, cancellationToken);
        }

        // A retry to come, or an alert a charge queued: the next run is asked for after the commits.
        await ScheduleNextRunAsync(nowUtc, cancellationToken);
        if (done.Any(m => m.Channel == NoticeChannel.Sms))
        {
            await signal.DeliveriesDueAsync(nowUtc);
        }

        return done;
    }

    /// <summary>
    /// The next run is set for the next batch time or retry: one signal per cancellation only
    /// schedules the earliest, and waiting for the 30-second sweep instead would add up to 30 s to
    /// every later practitioner's batch and every retry (with Twilio's 429s, to the whole backlog).
    /// </summary>
    private async Task ScheduleNextRunAsync(DateTime nowUtc, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var nextRetry = await db.Set<NoticeDelivery>()
            .Where(d => d.State == DeliveryState.Retrying && d.NextAttemptAtUtc > nowUtc)
            .MinAsync(d => d.NextAttemptAtUtc, cancellationToken);
        var nextBatch = await db.Set<NoticeDelivery>()
            .Where(d => d.State == DeliveryState.Pending && d.DueAtUtc > nowUtc)
            .MinAsync(d => (DateTime?)d.DueAtUtc, cancellationToken);
        if (await QueuedMessages.NextRetryAsync(db, nowUtc, cancellationToken) is { } queuedRetry && (nextRetry is null || queuedRetry < nextRetry))
        {
            nextRetry = queuedRetry;
        }

        if ((nextRetry, nextBatch) switch
            {
                ({ } retry, { } batch) => retry < batch ? retry : batch,
                ({ } retry, null) => retry,
                (null, { } batch) => batch,
                _ => (DateTime?)null,
            } is { } dueUtc)
        {
            await signal.DeliveriesDueAsync(dueUtc);
        }
    }

    private sealed record DueBatch(int PractitionerId, string To, DeliveryKind Kind, List<int> DeliveryIds);

    private sealed record ClaimedBatch(DueBatch Batch, int OutboxMessageId, EmailMessage Message);

    private async Task<List<DueBatch>> FindDueAsync(DateTime nowUtc, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var open = await db.Set<NoticeDelivery>().AsNoTracking()
            .Where(d => d.Channel == NoticeChannel.Email
                        && (d.State == DeliveryState.Pending || d.State == DeliveryState.Retrying || d.State == DeliveryState.Sending))
            .Select(d => new { d.Id, d.PractitionerId, d.Kind, d.State, d.DueAtUtc, d.NextAttemptAtUtc, d.LeaseUntilUtc, d.Notice!.Email })
            .ToListAsync(cancellationToken);

        // A practitioner's pending cancellations go together, BatchWindowSeconds after the oldest of them.
        var batchDue = open.Where(d => d.State == DeliveryState.Pending && d.Kind == DeliveryKind.Cancellation)
            .GroupBy(d => d.PractitionerId)
            .ToDictionary(g => g.Key, g => g.Min(d => d.DueAtUtc));

        var due = open.Where(d => d.State switch
        {
            DeliveryState.Pending when d.Kind == DeliveryKind.Cancellation => batchDue[d.PractitionerId] <= nowUtc,
            DeliveryState.Pending => d.DueAtUtc <= nowUtc,
            DeliveryState.Retrying => d.NextAttemptAtUtc <= nowUtc,
            DeliveryState.Sending => d.LeaseUntilUtc <= nowUtc,
            _ => false,
        }).ToList();

        var digests = due.Where(d => d.Kind == DeliveryKind.Cancellation)
            .GroupBy(d => (d.PractitionerId, d.Email))
            .Select(g => new DueBatch(g.Key.PractitionerId, g.Key.Email, DeliveryKind.Cancellation, g.Select(d => d.Id).Order().ToList()));
        var followUps = due.Where(d => d.Kind == DeliveryKind.Reinstatement)
            .Select(d => new DueBatch(d.PractitionerId, d.Email, DeliveryKind.Reinstatement, [d.Id]));
        return [.. digests.Concat(followUps).OrderBy(b => b.DeliveryIds[0])];
    }

    /// <summary>
    /// Step 1 for a chunk of batches: one short transaction marks their deliveries Sending under a
    /// lease and writes an outbox row and the attempts for each email. A crash after it re-sends at
    /// most the chunk's emails whose outcome was not yet recorded (their lease expires).
    /// </summary>
    private async Task<List<ClaimedBatch>> ClaimAsync(ClinicDbContext db, IEmailDispatchCommands commands, DueBatch[] chunk, Clinic clinic, DateTime nowUtc, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ids = chunk.SelectMany(b => b.DeliveryIds).ToList();
        var loaded = await db.Set<NoticeDelivery>().AsNoTracking().Include(d => d.Notice)
            .Where(d => ids.Contains(d.Id))
            .ToDictionaryAsync(d => d.Id, cancellationToken);

        var baseUrl = links.BaseUrl;
        var taken = new List<(DueBatch Batch, List<NoticeDelivery> Deliveries, EmailMessage Message)>();
        foreach (var batch in chunk)
        {
            // Another run (or an undo) may have moved some of them on since they were found due.
            var deliveries = batch.DeliveryIds.Select(id => loaded.GetValueOrDefault(id))
                .OfType<NoticeDelivery>()
                .Where(d => d.State switch
                {
                    DeliveryState.Pending => true,
                    DeliveryState.Retrying => d.NextAttemptAtUtc <= nowUtc,
                    DeliveryState.Sending => d.LeaseUntilUtc <= nowUtc,
                    _ => false,
                })
                .ToList();
            if (deliveries.Count == 0)
            {
                continue;
            }

            var notices = deliveries.Select(d => d.Notice!).ToList();
            var message = batch.Kind == DeliveryKind.Reinstatement
                ? NoticeMessages.Reinstated(batch.To, notices[0], clinic, baseUrl)
                : NoticeMessages.Digest(batch.To, notices, clinic, baseUrl);
            taken.Add((batch, deliveries, message));
        }

        if (taken.Count == 0)
        {
            return [];
        }

        // The Outbox rows (one prepared INSERT bound per row), then every claimed delivery Sending under
        // the lease with an attempt in its email, in one command: EF's change tracking of 50 new rows
        // with their bodies cost more than the rest of the claim together.
        var outboxIds = await commands.InsertOutboxRowsAsync([.. taken.Select(t => OutboxQueue.NewRow(t.Message, OutboxKind(t.Batch.Kind), t.Batch.PractitionerId, OutboxMessageState.Sending, nowUtc))], cancellationToken);
        var rows = await commands.ClaimAsync([.. taken.SelectMany((t, i) => t.Deliveries.Select(d => (d.Id, outboxIds[i])))], nowUtc, nowUtc + Lease, cancellationToken);
        Debug.Assert(rows == 2 * taken.Sum(t => t.Deliveries.Count), "each claimed delivery updated once and given one attempt");
        await transaction.CommitAsync(cancellationToken);
        return taken.Select((t, i) => new ClaimedBatch(t.Batch with { DeliveryIds = t.Deliveries.Select(d => d.Id).ToList() }, outboxIds[i], t.Message)).ToList();
    }

    /// <summary>The chunk's emails still waiting their turn stay ours for another lease.</summary>
    private static async Task RenewLeaseAsync(ClinicDbContext db, IEnumerable<ClaimedBatch> waiting, DateTime leaseUntilUtc, CancellationToken cancellationToken)
    {
        var ids = waiting.SelectMany(c => c.Batch.DeliveryIds).ToList();
        await db.Set<NoticeDelivery>()
            .Where(d => ids.Contains(d.Id) && d.State == DeliveryState.Sending)
            .ExecuteUpdateAsync(set => set.SetProperty(d => d.LeaseUntilUtc, leaseUntilUtc), cancellationToken);
    }

    /// <summary>
    /// Step 3 when the mail server took it, the common case: one prepared command on the run's
    /// connection, as this runs between every two sends. A notice reinstated while its email was on
    /// its way is written by <see cref="RecordOutcomeAsync"/> instead, with its follow-up.
    /// </summary>
    private async Task<bool> RecordSentAsync(IEmailDispatchCommands commands, ClaimedBatch claimed, string providerId, DateTime nowUtc, CancellationToken cancellationToken) =>
        !await commands.TryRecordSentAsync(claimed.Batch.DeliveryIds, claimed.OutboxMessageId, providerId, nowUtc, cancellationToken)
        && await RecordOutcomeAsync(claimed, providerId, null, nowUtc, cancellationToken);

    /// <summary>Step 3: a short transaction records what happened. Returns whether a follow-up is now waiting.</summary>
    private async Task<bool> RecordOutcomeAsync(ClaimedBatch claimed, string? providerId, EmailSendException? failure, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var retry = options.Value.Retry;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var outbox = await db.Set<OutboxMessage>().SingleAsync(m => m.Id == claimed.OutboxMessageId, cancellationToken);
        var deliveries = await db.Set<NoticeDelivery>().Include(d => d.Notice).ThenInclude(n => n!.Deliveries)
            .Include(d => d.Attempts.Where(a => a.OutboxMessageId == claimed.OutboxMessageId))
            .Where(d => claimed.Batch.DeliveryIds.Contains(d.Id))
            .ToListAsync(cancellationToken);

        outbox.State = failure is null ? OutboxMessageState.Sent : OutboxMessageState.NotSent;
        outbox.SentAtUtc = failure is null ? nowUtc : null;
        outbox.ProviderId = providerId;
        outbox.Error = failure?.Message;

        var followUp = false;
        foreach (var delivery in deliveries)
        {
            var attempt = delivery.Attempts.Single();
            attempt.FinishedAtUtc = nowUtc;
            attempt.ProviderId = providerId;
            attempt.Error = failure?.Message;
            var notice = delivery.Notice!;

            if (failure is null)
            {
                // Reinstated while it was on its way: it reached the mailbox, so say it is back on.
                attempt.Outcome = AttemptOutcome.Sent;
                delivery.MarkSent(nowUtc, providerId!);
                followUp |= notice.FollowUpIfReinstated(delivery, nowUtc);
                continue;
            }

            attempt.Outcome = failure.Kind switch
            {
                EmailFailureKind.Permanent => AttemptOutcome.Permanent,
                EmailFailureKind.Configuration => AttemptOutcome.Configuration,
                _ => AttemptOutcome.Transient,
            };
            _ = (notice.ReinstatedAtUtc is not null && delivery.Drop(nowUtc))
                || (failure.Kind == EmailFailureKind.Permanent
                    ? delivery.Fail(nowUtc, failure.Message)
                    : delivery.RetryLater(nowUtc, Backoff(retry.FirstDelaySeconds, delivery.AttemptCount), retry.GiveUpAfterHours, failure.Message,
                        failure.Kind == EmailFailureKind.Configuration ? HoldCode.EmailSettings : null));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return followUp;
    }

    /// <summary>How the Outbox names a notice message.</summary>
    internal static string OutboxKind(DeliveryKind kind) => kind == DeliveryKind.Reinstatement ? "Reinstated follow-up" : "Cancellation notice";

    /// <summary>FirstDelay × 2^(attempt−1), at most an hour, with ±20 % jitter so a recovered server is not hit all at once.</summary>
    internal static TimeSpan Backoff(int firstDelaySeconds, int attempt)
    {
        var seconds = Math.Min(firstDelaySeconds * Math.Pow(2, Math.Max(0, attempt - 1)), 3600);
#pragma warning disable CA5394 // Jitter, not security.
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
#pragma warning restore CA5394
        return TimeSpan.FromSeconds(seconds * jitter);
    }
}
