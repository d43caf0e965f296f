using Quartz;

namespace ClinicBlazor.Features.Notifications;

/// <summary>Delivers due notices: only calls the dispatcher. One instance at a time.</summary>
[DisallowConcurrentExecution]
public sealed class DeliverNoticesJob(NoticeDispatcher dispatcher, TimeProvider clock) : IJob
{
    public static readonly JobKey Key = new("deliver-notices", "notifications");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await dispatcher.DispatchDueAsync(clock.GetUtcNow().UtcDateTime, cancellationToken);
    }
}
