using Quartz;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// Every node looks for due work every 30 seconds, whatever signals it missed (a crash, a signal
/// that could not be scheduled, another node's expired lease). The trigger is placed at start-up on
/// the app's clock, which is the clock Quartz runs on: a trigger placed on another clock would look
/// late (or far off) to the scheduler.
/// </summary>
public sealed class PeriodicDeliveryRun(ISchedulerFactory schedulerFactory, TimeProvider clock) : IHostedService
{
    internal static readonly TriggerKey Key = new("deliver-notices-periodic", "notifications");

    internal static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        var trigger = TriggerBuilder.Create()
            .WithIdentity(Key)
            .ForJob(DeliverNoticesJob.Key)
            .StartAt(clock.GetUtcNow() + Interval)
            .WithSimpleSchedule(schedule => schedule
                .WithInterval(Interval)
                .RepeatForever()
                .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            .Build();
        if (await scheduler.Exists(Key, cancellationToken))
        {
            await scheduler.RescheduleJob(Key, trigger, cancellationToken);
        }
        else
        {
            await scheduler.ScheduleJob(trigger, cancellationToken: cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
