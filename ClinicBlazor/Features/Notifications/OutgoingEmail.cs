using ClinicBlazor.Data;
using ClinicBlazor.Features.Notifications.Email;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// Sends a single email now (a test notification) through the same outbox and sender as the
/// notices: recorded before, sent with no transaction open, outcome recorded after.
/// </summary>
public sealed class OutgoingEmail(IDbContextFactory<ClinicDbContext> dbFactory, IEmailSender sender, TimeProvider clock)
{
    public async Task<OutboxMessage> SendNowAsync(EmailMessage message, string kind, int? practitionerId, CancellationToken cancellationToken = default)
    {
        var outbox = new OutboxMessage
        {
            CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
            Kind = kind,
            Channel = NoticeChannel.Email,
            To = message.To,
            Subject = message.Subject,
            TextBody = message.TextBody,
            HtmlBody = message.HtmlBody,
            State = OutboxMessageState.Sending,
            PractitionerId = practitionerId,
        };
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.Add(outbox);
            await db.SaveChangesAsync(cancellationToken);
        }

        try
        {
            await using var session = await sender.OpenSessionAsync(cancellationToken);
            outbox.ProviderId = await session.SendAsync(message, cancellationToken);
            outbox.State = OutboxMessageState.Sent;
            outbox.SentAtUtc = clock.GetUtcNow().UtcDateTime;
        }
        catch (EmailSendException exception)
        {
            outbox.State = OutboxMessageState.NotSent;
            outbox.Error = exception.Message;
        }

        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.Update(outbox);
            await db.SaveChangesAsync(cancellationToken);
        }

        return outbox;
    }
}
