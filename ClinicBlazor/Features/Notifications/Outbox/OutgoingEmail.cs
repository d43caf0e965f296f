using ClinicBlazor.Data;
using ClinicBlazor.Features.Notifications.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// Single emails that are not notices (a test notification, a booking confirmation, the low-balance
/// alert) through the same outbox and sender as the notices: recorded before, sent with no
/// transaction open, outcome recorded after.
/// </summary>
public sealed class OutgoingEmail(IDbContextFactory<ClinicDbContext> dbFactory, IEmailSender sender, IOptions<NotificationsOptions> options, TimeProvider clock, ILogger<OutgoingEmail> logger)
{
    /// <summary>
    /// An email written to the outbox inside someone else's transaction (so it commits or rolls back
    /// with what caused it); the next dispatcher run sends it (<see cref="SendQueuedAsync"/>).
    /// </summary>
    public static OutboxMessage Queue(ClinicDbContext db, EmailMessage message, string kind, DateTime nowUtc)
    {
        var outbox = NewRow(message, kind, null, OutboxMessageState.Pending, nowUtc);
        db.Add(outbox);
        return outbox;
    }

    /// <param name="recordAs">
    /// What the Outbox keeps instead of <paramref name="message"/>, when the message carries a secret
    /// (a patient's private booking link) that must never be stored.
    /// </param>
    public async Task<OutboxMessage> SendNowAsync(EmailMessage message, string kind, int? practitionerId, EmailMessage? recordAs = null, CancellationToken cancellationToken = default)
    {
        var outbox = NewRow(recordAs ?? message, kind, practitionerId, OutboxMessageState.Sending, clock.GetUtcNow().UtcDateTime);
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.Add(outbox);
            await db.SaveChangesAsync(cancellationToken);
        }

        await using var session = await sender.OpenSessionAsync(cancellationToken);
        await SendAndRecordAsync(session, outbox, message, cancellationToken);
        return outbox;
    }

    /// <summary>
    /// Sends the queued emails, one after another over one connection. Called by the dispatcher, one
    /// run at a time. A transient failure or wrong settings leave a message queued for the next run
    /// (until the give-up time); a permanent one marks it not sent. A crash between the send and the
    /// record sends it again, the one way an email can go twice (as for notices).
    /// </summary>
    public async Task<int> SendQueuedAsync(CancellationToken cancellationToken = default)
    {
        List<OutboxMessage> queued;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            queued = await db.Set<OutboxMessage>().AsNoTracking()
                .Where(m => m.State == OutboxMessageState.Pending && m.Channel == NoticeChannel.Email)
                .OrderBy(m => m.Id)
                .ToListAsync(cancellationToken);
        }

        if (queued.Count == 0)
        {
            return 0;
        }

        var sent = 0;
        await using var session = await sender.OpenSessionAsync(cancellationToken);
        foreach (var outbox in queued)
        {
            var message = new EmailMessage(outbox.To, outbox.Subject, outbox.TextBody, outbox.HtmlBody);
            if (await SendAndRecordAsync(session, outbox, message, cancellationToken))
            {
                sent++;
            }
        }

        return sent;
    }

    private async Task<bool> SendAndRecordAsync(IEmailSession session, OutboxMessage outbox, EmailMessage message, CancellationToken cancellationToken)
    {
        var queued = outbox.State == OutboxMessageState.Pending;
        try
        {
            outbox.ProviderId = await session.SendAsync(message, cancellationToken);
            outbox.State = OutboxMessageState.Sent;
            outbox.SentAtUtc = clock.GetUtcNow().UtcDateTime;
            outbox.Error = null;
        }
        catch (EmailSendException exception)
        {
            outbox.Error = exception.Message;
            var giveUpAtUtc = outbox.CreatedAtUtc.AddHours(options.Value.Retry.GiveUpAfterHours);
            var tryAgain = queued && exception.Kind != EmailFailureKind.Permanent && clock.GetUtcNow().UtcDateTime < giveUpAtUtc;
            outbox.State = tryAgain ? OutboxMessageState.Pending : OutboxMessageState.NotSent;
            logger.LogWarning("{Kind} email {OutboxMessageId} to {To} was not sent ({Failure}){Next}: {Error}",
                outbox.Kind, outbox.Id, outbox.To, exception.Kind, tryAgain ? "; the next run tries again" : "", exception.Message);
        }

        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.Update(outbox);
            await db.SaveChangesAsync(cancellationToken);
        }

        return outbox.State == OutboxMessageState.Sent;
    }

    /// <summary>The Outbox row for an email (what the Outbox page shows and the sender's outcome updates).</summary>
    internal static OutboxMessage NewRow(EmailMessage recorded, string kind, int? practitionerId, OutboxMessageState state, DateTime nowUtc) => new()
    {
        CreatedAtUtc = nowUtc,
        Kind = kind,
        Channel = NoticeChannel.Email,
        To = recorded.To,
        Subject = recorded.Subject,
        TextBody = recorded.TextBody,
        HtmlBody = recorded.HtmlBody,
        State = state,
        PractitionerId = practitionerId,
    };
}
