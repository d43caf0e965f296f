using ClinicBlazor.Features.Notifications.Email;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Notifications;

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
