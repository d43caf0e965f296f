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
        services.AddSingleton<NoticeDispatcher>();
        services.AddScoped<Sms.ISmsStatusSink, Sms.NoticeSmsStatusSink>();
        services.AddSingleton<OutgoingEmail>();
        services.AddScoped<NoticeHistory>();
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

/// <summary>The pickup folder holds patient data in clear: fine for development, worth a warning anywhere else.</summary>
internal sealed class PickupFolderWarning(IOptions<NotificationsOptions> options, IEmailSender sender, IHostEnvironment environment, ILogger<PickupFolderWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Email.UsesSmtp && !environment.IsDevelopment())
        {
            logger.LogWarning("No SMTP host is configured (Notifications:Email:Smtp:Host): emails are written to the {Sender}, in clear, and nobody receives them. Configure SMTP for real use.", sender.Description);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>/healthz "email": which sender is in use, and whether email is held by wrong settings.</summary>
internal sealed class EmailSenderHealthCheck(IEmailSender sender, IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var factory = scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Data.ClinicDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var held = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Set<NoticeDelivery>(), d => d.State == DeliveryState.Retrying && d.Reason == NoticeDispatcher.WaitingForEmailSettings, cancellationToken);
        return held == 0
            ? HealthCheckResult.Healthy($"Email goes through {sender.Description}.")
            : HealthCheckResult.Degraded($"Email through {sender.Description} is held: the mail server refused the sign-in.");
    }
}
