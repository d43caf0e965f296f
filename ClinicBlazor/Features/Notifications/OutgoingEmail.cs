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
    /// <param name="recordAs">
    /// What the Outbox keeps instead of <paramref name="message"/>, when the message carries a secret
    /// (a patient's private booking link) that must never be stored.
    /// </param>
    public async Task<OutboxMessage> SendNowAsync(EmailMessage message, string kind, int? practitionerId, EmailMessage? recordAs = null, CancellationToken cancellationToken = default)
    {
        var recorded = recordAs ?? message;
        var outbox = new OutboxMessage
        {
            CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
            Kind = kind,
            Channel = NoticeChannel.Email,
            To = recorded.To,
            Subject = recorded.Subject,
            TextBody = recorded.TextBody,
            HtmlBody = recorded.HtmlBody,
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
