using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Notifications.Email;

/// <summary>With no SMTP host: each email becomes an .eml file in the pickup directory (development only: patient data in clear).</summary>
internal sealed class PickupDirectoryEmailSender(IOptions<NotificationsOptions> options, IHostEnvironment environment, TimeProvider clock, IDbContextFactory<Data.ClinicDbContext> dbFactory) : IEmailSender
{
    public string Directory => Path.GetFullPath(options.Value.Email.PickupDirectory, environment.ContentRootPath);

    public string Description => $"pickup folder {Directory}";

    private string NewFileName() => $"{clock.GetUtcNow():yyyyMMdd-HHmmss}-{Guid.NewGuid():N}.eml";

    public async Task<IEmailSession> OpenSessionAsync(CancellationToken cancellationToken) =>
        new Session(this, options.Value.Email.Smtp, await NoticeMessages.FromNameAsync(dbFactory, options.Value.Email.Smtp.FromName, cancellationToken));

    private sealed class Session(PickupDirectoryEmailSender owner, NotificationsOptions.SmtpOptions smtp, string fromName) : IEmailSession
    {
        public async Task<string> SendAsync(EmailMessage message, CancellationToken cancellationToken)
        {
            try
            {
                System.IO.Directory.CreateDirectory(owner.Directory);
                var mime = SmtpEmailSender.ToMime(message, smtp, fromName);
                var path = Path.Combine(owner.Directory, owner.NewFileName());
                await using var file = File.Create(path);
                await mime.WriteToAsync(file, cancellationToken);
                return Path.GetFileName(path);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new EmailSendException(EmailFailureKind.Transient, $"the pickup folder could not be written: {exception.Message}", exception);
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
