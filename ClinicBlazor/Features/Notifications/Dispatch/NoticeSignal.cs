using Quartz;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// The in-process signal after a cancellation commits: schedules <see cref="DeliverNoticesJob"/>
/// for the batch time. Signals coalesce into one trigger: an earlier one already waiting is kept,
/// a later one is not added.
/// </summary>
public sealed class NoticeSignal(ISchedulerFactory schedulerFactory, TimeProvider clock, ILogger<NoticeSignal> logger) : IDisposable
{
    internal static readonly TriggerKey SignalTrigger = new("deliver-notices-signal", "notifications");

    private readonly SemaphoreSlim gate = new(1, 1);
    private DateTimeOffset? scheduledFor;

    public void Dispose() => gate.Dispose();

    /// <summary>Something is waiting to be sent at <paramref name="dueUtc"/> (the app's clock).</summary>
    public async Task DeliveriesDueAsync(DateTime dueUtc)
    {
        try
        {
            await gate.WaitAsync();
            try
            {
                // Quartz runs on the app's clock (it takes the container's TimeProvider), so the
                // trigger is placed at the app's instant.
                var schedulerNow = clock.GetUtcNow();
                var due = new DateTimeOffset(DateTime.SpecifyKind(dueUtc, DateTimeKind.Utc));
                var fireAt = (due > schedulerNow ? due : schedulerNow) + TimeSpan.FromMilliseconds(200);
                if (scheduledFor is { } existing && existing > schedulerNow && existing <= fireAt)
                {
                    return;
                }

                var scheduler = await schedulerFactory.GetScheduler();
                var trigger = TriggerBuilder.Create()
                    .WithIdentity(SignalTrigger)
                    .ForJob(DeliverNoticesJob.Key)
                    .StartAt(fireAt)
                    .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
                    .Build();
                if (await scheduler.Exists(SignalTrigger))
                {
                    await scheduler.RescheduleJob(SignalTrigger, trigger);
                }
                else
                {
                    await scheduler.ScheduleJob(trigger);
                }

                scheduledFor = fireAt;
            }
            finally
            {
                gate.Release();
            }
        }
        catch (SchedulerException exception)
        {
            // The periodic trigger still catches it within 30 s.
            logger.LogWarning(exception, "Could not schedule notice delivery; the periodic run will send it");
        }
    }
}
