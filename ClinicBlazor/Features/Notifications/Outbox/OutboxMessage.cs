using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.Notifications;

/// <summary>Where an Outbox row stands.</summary>
public enum OutboxMessageState
{
    Sending = 0,
    Sent = 1,
    NotSent = 2,

    /// <summary>Written in another transaction (the low-balance alert); the next dispatcher run sends it.</summary>
    Pending = 3,
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

    /// <summary>The practitioner it was for, when it was a notice (filters on the Outbox page).</summary>
    public int? PractitionerId { get; set; }
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
        builder.HasIndex(m => m.CreatedAtUtc);
    }
}
