using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace ClinicBlazor.Features.Notifications.Email;

/// <summary>SMTP through MailKit: connects on the first message of a run and reuses the connection.</summary>
internal sealed class SmtpEmailSender(IOptions<NotificationsOptions> options, IDbContextFactory<Data.ClinicDbContext> dbFactory) : IEmailSender
{
    private NotificationsOptions.SmtpOptions Smtp => options.Value.Email.Smtp;

    public string Description => $"SMTP {Smtp.Host}:{Smtp.EffectivePort} ({Smtp.ParsedSecurity})";

    public async Task<IEmailSession> OpenSessionAsync(CancellationToken cancellationToken) =>
        new Session(Smtp, await NoticeMessages.FromNameAsync(dbFactory, Smtp.FromName, cancellationToken));

    internal static MimeMessage ToMime(EmailMessage message, NotificationsOptions.SmtpOptions smtp, string fromName)
    {
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(fromName, smtp.FromAddress));
        if (!MailboxAddress.TryParse(message.To, out var to))
        {
            throw new EmailSendException(EmailFailureKind.Permanent, $"\"{message.To}\" is not an email address");
        }

        mime.To.Add(to);
        mime.Subject = message.Subject;
        var body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody };
        mime.Body = body.ToMessageBody();
        mime.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(smtp.FromAddress.Split('@').Last());
        return mime;
    }

    private sealed class Session(NotificationsOptions.SmtpOptions smtp, string fromName) : IEmailSession
    {
        private readonly SmtpClient client = new() { Timeout = 30_000 };

        // The next message, being built on another thread while the dispatcher writes the last outcome.
        private (EmailMessage Message, Task<MimeMessage> Mime)? prepared;

        public void Prepare(EmailMessage upcoming) => prepared = (upcoming, Task.Run(() => ToMime(upcoming, smtp, fromName)));

        public async Task<string> SendAsync(EmailMessage message, CancellationToken cancellationToken)
        {
            var ready = prepared;
            prepared = null;
            var mime = ready is { } built && ReferenceEquals(built.Message, message)
                ? await built.Mime
                : ToMime(message, smtp, fromName);
            var messageId = mime.MessageId ?? "";
            try
            {
                if (!client.IsConnected)
                {
                    await client.ConnectAsync(smtp.Host!, smtp.EffectivePort, ToMailKit(smtp.ParsedSecurity), cancellationToken);
                    if (!string.IsNullOrEmpty(smtp.Username))
                    {
                        await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
                    }
                }

                var response = await client.SendAsync(mime, cancellationToken);
                return string.IsNullOrWhiteSpace(response) ? messageId : $"{messageId} ({response.Trim()})";
            }
            catch (AuthenticationException exception)
            {
                throw new EmailSendException(EmailFailureKind.Configuration, $"the mail server refused the sign-in: {exception.Message}", exception);
            }
            catch (SmtpCommandException exception) when ((int)exception.StatusCode == 535)
            {
                throw new EmailSendException(EmailFailureKind.Configuration, $"the mail server refused the sign-in: {exception.Message}", exception);
            }
            catch (SmtpCommandException exception) when ((int)exception.StatusCode is >= 400 and < 500)
            {
                await ResetAsync();
                throw new EmailSendException(EmailFailureKind.Transient, $"the mail server said try later ({(int)exception.StatusCode}): {exception.Message}", exception);
            }
            catch (SmtpCommandException exception)
            {
                await ResetAsync();
                var what = exception.ErrorCode == SmtpErrorCode.RecipientNotAccepted ? "mailbox rejected" : "message rejected";
                throw new EmailSendException(EmailFailureKind.Permanent, $"{what} ({(int)exception.StatusCode}): {exception.Message}", exception);
            }
            catch (Exception exception) when (exception is SocketException or IOException or SmtpProtocolException or ServiceNotConnectedException or TimeoutException or SslHandshakeException)
            {
                await ResetAsync();
                throw new EmailSendException(EmailFailureKind.Transient, $"the mail server could not be reached: {exception.Message}", exception);
            }
        }

        private async Task ResetAsync()
        {
            try
            {
                if (client.IsConnected)
                {
                    await client.DisconnectAsync(quit: true);
                }
            }
            catch (Exception exception) when (exception is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException)
            {
                // The connection is already gone; the next message reconnects.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await ResetAsync();
            client.Dispose();
        }

        private static SecureSocketOptions ToMailKit(SmtpSecurity security) => security switch
        {
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.Auto => SecureSocketOptions.Auto,
            _ => SecureSocketOptions.StartTls,
        };
    }
}
