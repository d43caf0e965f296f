using ClinicBlazor.Data;
using ClinicBlazor.Features.Notifications.Email;

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

    /// <summary>How the Outbox names a notice's message.</summary>
    public static string KindOf(DeliveryKind kind) => kind == DeliveryKind.Reinstatement ? "Reinstated follow-up" : "Cancellation notice";

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
