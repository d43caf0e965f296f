using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.Notifications;

/// <summary>Where an Outbox row stands.</summary>
public enum OutboxMessageState
{
    Sending = 0,
    Sent = 1,
    NotSent = 2,

    /// <summary>Written, composed, in the transaction that caused it (a confirmation, a test, an alert); the dispatcher sends it, and a failed try waits here for the next.</summary>
    Pending = 3,

    /// <summary>An email kept back while an SMS goes instead (<see cref="OutboxMessage.FallbackForMessageId"/>): Pending if that SMS cannot go, deleted once it went.</summary>
    Held = 4,
}

/// <summary>Every email and SMS the app sends (digests, follow-ups, tests, confirmations and alerts), readable on the Outbox page.</summary>
public sealed class OutboxMessage
{
    public int Id { get; set; }
    public DateTime CreatedAtUtc { get; set; }

    /// <summary>"Cancellation notice", "Reinstated", "Test notification"…</summary>
    public string Kind { get; set; } = "";
    public NoticeChannel Channel { get; set; }
    public string To { get; set; } = "";
    public string Subject { get; set; } = "";
    public string TextBody { get; set; } = "";
    public string? HtmlBody { get; set; }
    public OutboxMessageState State { get; set; }
    public DateTime? SentAtUtc { get; set; }
    public string? ProviderId { get; set; }
    public string? Error { get; set; }

    /// <summary>The practitioner it was for, when it was a notice or a test (filters on the Outbox page).</summary>
    public int? PractitionerId { get; set; }

    /// <summary>For a queued message: tries so far, when the next may go, and how long a claimed one stays its claimer's.</summary>
    public int AttemptCount { get; set; }

    public DateTime? NextAttemptAtUtc { get; set; }
    public DateTime? LeaseUntilUtc { get; set; }

    /// <summary>
    /// The secret part of a private link the message carries (a booking's token), encrypted with Data
    /// Protection: the stored bodies show <see cref="MaskedLink"/> in its place, the sender puts it
    /// back, and it is deleted once the message is final (sent or not sent).
    /// </summary>
    public string? ProtectedLink { get; set; }

    /// <summary>
    /// For a <see cref="OutboxMessageState.Held"/> email: the Outbox row of the SMS it stands in for if that
    /// cannot go. A plain indexed column, no foreign key: adding one would rebuild the whole table on SQLite.
    /// </summary>
    public int? FallbackForMessageId { get; set; }

    /// <summary>What the Outbox shows instead of a private link.</summary>
    public const string MaskedLink = "[private link, not kept]";

    /// <summary>A queued message the dispatcher may take now: Pending and due, or Sending with its lease run out.</summary>
    public bool IsDue(DateTime nowUtc) => State switch
    {
        OutboxMessageState.Pending => NextAttemptAtUtc is null || NextAttemptAtUtc <= nowUtc,
        OutboxMessageState.Sending => LeaseUntilUtc <= nowUtc,
        _ => false,
    };

    /// <summary>The message as it goes out: the private link back in place of the mask.</summary>
    public Email.EmailMessage ToEmail(string? link) => link is null
        ? new(To, Subject, TextBody, HtmlBody)
        : new(To, Subject, TextBody.Replace(MaskedLink, link, StringComparison.Ordinal), HtmlBody?.Replace(System.Net.WebUtility.HtmlEncode(MaskedLink), System.Net.WebUtility.HtmlEncode(link), StringComparison.Ordinal));

    /// <summary>The provider took it.</summary>
    public void MarkSent(DateTime nowUtc, string? providerId)
    {
        State = OutboxMessageState.Sent;
        SentAtUtc = nowUtc;
        ProviderId = providerId;
        Error = null;
        Finish();
    }

    /// <summary>Not sent this time: Pending for another try after <paramref name="delay"/>, or NotSent for good when it may not be retried or the give-up time has come.</summary>
    public void NotSent(DateTime nowUtc, string error, bool mayRetry, TimeSpan delay, int giveUpAfterHours)
    {
        if (mayRetry && !RetrySchedule.GivesUp(CreatedAtUtc, nowUtc + delay, giveUpAfterHours))
        {
            Error = error;
            State = OutboxMessageState.Pending;
            NextAttemptAtUtc = nowUtc + delay;
            LeaseUntilUtc = null;
            return;
        }

        MarkNotSent(error);
    }

    /// <summary>Not sent, for good (a notice's own row: its delivery decides whether another row follows).</summary>
    public void MarkNotSent(string? error)
    {
        State = OutboxMessageState.NotSent;
        SentAtUtc = null;
        ProviderId = null;
        Error = error;
        Finish();
    }

    private void Finish()
    {
        NextAttemptAtUtc = null;
        LeaseUntilUtc = null;
        ProtectedLink = null;
    }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.Property(m => m.Kind).HasMaxLength(50);
        builder.Property(m => m.Channel).HasConversion<string>().HasMaxLength(10);
        builder.Property(m => m.State).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.To).HasMaxLength(256);
        builder.Property(m => m.Subject).HasMaxLength(300);
        builder.Property(m => m.ProviderId).HasMaxLength(200);
        builder.Property(m => m.Error).HasMaxLength(1000);
        builder.Property(m => m.ProtectedLink).HasMaxLength(2000);
        builder.HasIndex(m => m.CreatedAtUtc);
        // Only what the dispatcher looks for (Pending, or claimed under a lease): a notice email's own row,
        // written Sending without a lease and then Sent, never enters it, so its send writes no index pages
        // (with every row indexed, each notice email wrote 2 more log pages: 12 instead of 10).
        builder.HasIndex(m => m.State).HasFilter("\"State\" = 'Pending' OR \"LeaseUntilUtc\" IS NOT NULL");
        builder.HasIndex(m => m.FallbackForMessageId);
    }
}
