using ClinicBlazor.Data;
using ClinicBlazor.Features.Notifications.Email;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// Writes a message that is not a notice (a booking confirmation, a test notification, the
/// low-balance alert) to the outbox inside the caller's transaction, so it commits or rolls back
/// with what caused it. Only the dispatcher sends it (<see cref="QueuedMessages"/>, through <see cref="DeliveryPipeline"/>), retrying like
/// any delivery; the caller signals the dispatcher after its commit.
/// </summary>
public static class OutboxQueue
{
    public static OutboxMessage Email(ClinicDbContext db, EmailMessage message, string kind, int? practitionerId, DateTime nowUtc, string? protectedLink = null)
    {
        var row = NewRow(message, kind, practitionerId, OutboxMessageState.Pending, nowUtc);
        row.ProtectedLink = protectedLink;
        db.Add(row);
        return row;
    }

    public static OutboxMessage Sms(ClinicDbContext db, string toE164, string body, string kind, int? practitionerId, DateTime nowUtc)
    {
        var row = new OutboxMessage
        {
            CreatedAtUtc = nowUtc,
            Kind = kind,
            Channel = NoticeChannel.Sms,
            To = toE164,
            Subject = "SMS",
            TextBody = body,
            State = OutboxMessageState.Pending,
            PractitionerId = practitionerId,
        };
        db.Add(row);
        return row;
    }

    /// <summary>
    /// An email written now but held back while <paramref name="sms"/> goes in its place: released
    /// (Pending) when that SMS cannot go, deleted once it went (<see cref="SettleFallbackAsync"/>).
    /// </summary>
    public static async Task<OutboxMessage> FallbackEmailAsync(ClinicDbContext db, EmailMessage message, string kind, OutboxMessage sms, DateTime nowUtc, CancellationToken cancellationToken)
    {
        if (sms.Id == 0)
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        var row = NewRow(message, kind, sms.PractitionerId, OutboxMessageState.Held, nowUtc);
        row.FallbackForMessageId = sms.Id;
        db.Add(row);
        return row;
    }

    /// <summary>
    /// After an SMS's outcome (in the transaction that records it): an email held for it is deleted
    /// when it was sent, and released to go at once when it will not be.
    /// </summary>
    public static async Task SettleFallbackAsync(ClinicDbContext db, OutboxMessage sms, CancellationToken cancellationToken)
    {
        if (sms.Channel != NoticeChannel.Sms || sms.State is not (OutboxMessageState.Sent or OutboxMessageState.NotSent))
        {
            return;
        }

        foreach (var held in await db.Set<OutboxMessage>().Where(m => m.FallbackForMessageId == sms.Id && m.State == OutboxMessageState.Held).ToListAsync(cancellationToken))
        {
            if (sms.State == OutboxMessageState.Sent)
            {
                db.Remove(held);
            }
            else
            {
                held.State = OutboxMessageState.Pending;
                held.NextAttemptAtUtc = null;
            }
        }
    }

    /// <summary>How the Outbox names a notice's message: by the kinds of the notices it carries.</summary>
    public static string KindOf(DeliveryKind kind, IEnumerable<NoticeKind>? notices = null)
    {
        if (kind == DeliveryKind.Reinstatement)
        {
            return "Reinstated follow-up";
        }

        var kinds = (notices ?? [NoticeKind.Cancellation]).Distinct().ToList();
        return kinds.Count != 1 ? "Schedule changes" : kinds[0] switch
        {
            NoticeKind.Move => "Move notice",
            NoticeKind.NewBooking => "New-booking notice",
            _ => "Cancellation notice",
        };
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
