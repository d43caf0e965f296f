using ClinicBlazor.Features.Notifications.Email;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Quartz;

namespace ClinicBlazor.Features.Notifications;

public static class NotificationsExtensions
{
    /// <summary>Cancellation notices: the decision, the outbox, the senders and the Quartz job that delivers.</summary>
    public static WebApplicationBuilder AddNotifications(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<NotificationsOptions>().Bind(builder.Configuration.GetSection(NotificationsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NotificationsOptions>, NotificationsOptionsValidator>();

        services.AddSingleton<SmtpEmailSender>();
        services.AddSingleton<PickupDirectoryEmailSender>();
        services.AddSingleton<IEmailSender>(provider => provider.GetRequiredService<IOptions<NotificationsOptions>>().Value.Email.UsesSmtp
            ? provider.GetRequiredService<SmtpEmailSender>()
            : provider.GetRequiredService<PickupDirectoryEmailSender>());

        services.AddSingleton<CancellationNotices>();
        services.AddSingleton<NoticeLinks>();
        services.AddSingleton<NoticeSignal>();
        services.AddSingleton<DeliveryPipeline>();
        services.AddSingleton<SmsNotices>();
        services.AddSingleton<EmailNotices>();
        services.AddSingleton<NoticeDispatcher>();
        services.AddScoped<Sms.ISmsStatusSink, Sms.NoticeSmsStatusSink>();
        services.AddSingleton<QueuedMessages>();
        services.AddSingleton<PrivateLinks>();
        services.AddScoped<NoticeHistory>();
        services.AddScoped<DeliveryResend>();
        services.AddScoped<TestNotifications>();
        services.AddHostedService<PickupFolderWarning>();
        services.AddHealthChecks().AddCheck<EmailSenderHealthCheck>("email");

        // Each app instance has its own scheduler (Quartz keeps schedulers by name process-wide).
        var quartzProperties = new Dictionary<string, string?> { ["quartz.scheduler.instanceName"] = $"clinic-notices-{Guid.NewGuid():N}" };
        services.AddQuartz(quartzProperties, quartz =>
        {
            // Triggers are placed in real time (NoticeSignal.SchedulerClock); the job hands the app's
            // clock to the dispatcher. Note: Quartz prefers a TimeProvider registered in the container
            // over this one, which is why tests on a fake clock leave the scheduler stopped.
            quartz.UseTimeProvider(NoticeSignal.SchedulerClock);
            quartz.UseInMemoryStore();
            quartz.AddJob<DeliverNoticesJob>(job => job.WithIdentity(DeliverNoticesJob.Key).StoreDurably());
            quartz.AddTrigger(trigger => trigger
                .ForJob(DeliverNoticesJob.Key)
                .WithIdentity("deliver-notices-periodic", "notifications")
                .StartAt(NoticeSignal.SchedulerClock.GetUtcNow().AddSeconds(30))
                .WithSimpleSchedule(schedule => schedule.WithInterval(TimeSpan.FromSeconds(30)).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
        });
        // Shutting down does not wait for a run in progress: a delivery interrupted in Sending is
        // taken up again when its lease expires, which is the same path as a crash.
        services.AddQuartzHostedService(quartz => quartz.WaitForJobsToComplete = false);
        return builder;
    }
}
