using ClinicBlazor.Data;
using ClinicBlazor.Features.Notifications.Sms;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.SmsCredits;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// Sends the notices' due SMS of one run through <see cref="DeliveryPipeline"/>, several at once
/// (<c>Notifications:MaxParallelSends</c>): first the provider's log is read for those that may
/// already have gone (<see cref="SmsReconcileStep"/>), then the rest are sent (<see cref="SmsNoticeStep"/>).
/// An SMS the provider turns away for a while (a 429) goes again in the same run once its backoff is
/// over, while the run still has others to send (<see cref="RunQueue{T}"/>).
/// </summary>
public sealed class SmsNotices(
    IDbContextFactory<ClinicDbContext> dbFactory,
    DeliveryPipeline pipeline,
    IDatabaseEngine engine,
    ISmsSender sender,
    SmsCreditLedger credits,
    IOptions<NotificationsOptions> options,
    ILogger<SmsNotices> logger)
{
    public const string NoSmsCredits = "no SMS credits";
    public const string SmsPaused = "SMS paused for this number";
    public const string AppointmentAboutToStart = "appointment about to start";
    public const string ReconcilingSms = "the provider may have taken it; checking its log";

    /// <summary>Under this much time to the start, an SMS is not sent at all.</summary>
    public static readonly TimeSpan ShortestValidity = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Test seam, null in production: awaited by each SMS send just before the claim transaction that
    /// charges its credit (one conditional UPDATE of the balance), so this is the last point at which
    /// concurrent sends can be held back and released together to race for the same credit.
    /// </summary>
    internal Func<CancellationToken, Task>? BeforeClaim { get; set; }

    public async Task<IReadOnlyList<NoticeOutcome>> SendDueAsync(DateTime nowUtc, CancellationToken cancellationToken)
    {
        List<DueDeliveries.Due> due;
        Clinic clinic;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            due = await DueDeliveries.FindAsync(db, NoticeChannel.Sms, nowUtc, cancellationToken);
            if (due.Count == 0)
            {
                return [];
            }

            clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync(cancellationToken);
        }

        var parallel = options.Value.MaxParallelSends;
        var reconciled = await pipeline.RunAsync(
            new SmsReconcileStep(engine, sender, logger), due.Where(d => d.MayHaveGone).Select(d => new[] { d.Id }), nowUtc, cancellationToken, parallel);
        var settled = reconciled.Where(r => r.Settled).ToDictionary(r => r.DeliveryId);

        var step = new SmsNoticeStep(engine, sender, credits, clinic, options.Value.Retry, BeforeClaim, logger);
        var runClock = pipeline.ClockFrom(nowUtc);
        var queue = new RunQueue<int>(due.Where(d => !settled.ContainsKey(d.Id)).Select(d => d.Id), runClock);
        var sent = await pipeline.RunAsync(
            step, queue.Chunks(), nowUtc, cancellationToken, parallel, runClock: runClock,
            recorded: (claim, outcome) =>
            {
                if (outcome.RetryAtUtc is { } retryAt)
                {
                    queue.RetryAt(claim.DeliveryId, retryAt);
                }
            });
        return [.. settled.Values.Select(r => r.Outcome).OfType<NoticeOutcome>(), .. sent];
    }
}
