using ClinicBlazor.Features.Notifications.Email;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClinicBlazor.Features.Notifications;

/// <summary>/healthz "email": which sender is in use, and whether email is held by wrong settings.</summary>
internal sealed class EmailSenderHealthCheck(IEmailSender sender, IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var factory = scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Data.ClinicDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var held = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Set<NoticeDelivery>(), d => d.State == DeliveryState.Retrying && d.WaitingFor == HoldCode.EmailSettings, cancellationToken);
        return held == 0
            ? HealthCheckResult.Healthy($"Email goes through {sender.Description}.")
            : HealthCheckResult.Degraded($"Email through {sender.Description} is held: the mail server refused the sign-in.");
    }
}
