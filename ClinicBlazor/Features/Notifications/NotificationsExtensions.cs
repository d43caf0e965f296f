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

        services.AddSingleton<ScheduleNotices>();
        services.AddSingleton<PatientNotices>();
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
        services.AddScoped<CancellationPreview>();
        services.AddScoped<DeliveryResend>();
        services.AddScoped<TestNotifications>();
        services.AddHostedService<PickupFolderWarning>();
        services.AddHealthChecks().AddCheck<EmailSenderHealthCheck>("email");

        // Each app instance has its own scheduler (Quartz keeps schedulers by name process-wide).
        var quartzProperties = new Dictionary<string, string?> { ["quartz.scheduler.instanceName"] = $"clinic-notices-{Guid.NewGuid():N}" };
        services.AddQuartz(quartzProperties, quartz =>
        {
            // Quartz runs on the container's TimeProvider (the app's clock), so every trigger is
            // placed on that clock: the signal's (NoticeSignal) and the periodic run's
            // (PeriodicDeliveryRun). Tests on a fake clock leave the scheduler stopped and call the
            // dispatcher themselves.
            quartz.UseInMemoryStore();
            quartz.AddJob<DeliverNoticesJob>(job => job.WithIdentity(DeliverNoticesJob.Key).StoreDurably());
        });
        services.AddHostedService<PeriodicDeliveryRun>();
        // Shutting down does not wait for a run in progress: a delivery interrupted in Sending is
        // taken up again when its lease expires, which is the same path as a crash.
        services.AddQuartzHostedService(quartz => quartz.WaitForJobsToComplete = false);
        return builder;
    }
}
