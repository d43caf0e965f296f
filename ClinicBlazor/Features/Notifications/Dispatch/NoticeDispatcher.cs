using ClinicBlazor.Data;
using ClinicBlazor.Features.Notifications.Email;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications;

/// <summary>What one dispatcher run did.</summary>
public sealed record DispatchResult(int EmailsSent, int EmailsNotSent, int SmsSent = 0, int SmsNotSent = 0);

/// <summary>
/// Sends what is due at a given time, every message through <see cref="DeliveryPipeline"/>: the
/// notices' SMS first (one skipped for want of credits falls back to an email that goes in this same
/// run), then over one SMTP session the queued messages and the notices' emails. After the run's
/// commits it asks Quartz for the next run.
/// </summary>
public sealed class NoticeDispatcher(
    IDbContextFactory<ClinicDbContext> dbFactory,
    IEmailSender sender,
    SmsNotices smsNotices,
    EmailNotices emailNotices,
    QueuedMessages queued,
    NoticeSignal signal) : IDisposable
{
    // The Quartz job runs one at a time; tests and the job may still call in together.
    private readonly SemaphoreSlim gate = new(1, 1);

    public void Dispose() => gate.Dispose();

    public async Task<DispatchResult> DispatchDueAsync(DateTime nowUtc, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var sms = await smsNotices.SendDueAsync(nowUtc, cancellationToken);
            IReadOnlyList<NoticeOutcome> emails;
            await using (var session = await sender.OpenSessionAsync(cancellationToken))
            {
                // Queued messages first: a low-balance alert a charge just queued goes in this run.
                await queued.SendDueAsync(session, nowUtc, null, cancellationToken);
                emails = await emailNotices.SendDueAsync(session, nowUtc, cancellationToken);
            }

            if (sms.Concat(emails).Any(o => o.FollowUp))
            {
                await signal.DeliveriesDueAsync(nowUtc);
            }

            await ScheduleNextRunAsync(nowUtc, cancellationToken);
            return new(emails.Count(o => o.Sent), emails.Count(o => !o.Sent), sms.Count(o => o.Sent), sms.Count(o => !o.Sent));
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
        DateTime? next;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            next = await DueDeliveries.NextAsync(db, nowUtc, cancellationToken);
        }

        if (next is { } dueUtc)
        {
            await signal.DeliveriesDueAsync(dueUtc);
        }
    }
}
