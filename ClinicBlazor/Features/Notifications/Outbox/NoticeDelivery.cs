using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.Notifications;

/// <summary>One channel of a notice, with its own state; every try is a <see cref="DeliveryAttempt"/>.</summary>
public sealed class NoticeDelivery
{
    public int Id { get; set; }
    public int NoticeId { get; set; }
    public CancellationNotice? Notice { get; set; }

    /// <summary>Copied from the notice: deliveries are batched per practitioner.</summary>
    public int PractitionerId { get; set; }

    public DeliveryKind Kind { get; set; }
    public NoticeChannel Channel { get; set; }
    public DeliveryState State { get; set; }

    /// <summary>Why it is in this state, for people ("no SMS credits", "mailbox rejected", "gave up after a day").</summary>
    public string? Reason { get; set; }

    public DateTime CreatedAtUtc { get; set; }

    /// <summary>When this pending delivery's own batch window ends (the practitioner's batch goes at the earliest of these).</summary>
    public DateTime DueAtUtc { get; set; }

    public DateTime? NextAttemptAtUtc { get; set; }
    public DateTime? LeaseUntilUtc { get; set; }
    public DateTime? SentAtUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
    public string? ProviderId { get; set; }
    public int AttemptCount { get; set; }

    /// <summary>For SMS: the short reference that ends the body ("K7P2"), unique to this delivery, for reconciliation.</summary>
    public string? SmsReference { get; set; }

    /// <summary>An admin's Resend makes a new delivery; this points at the failed one.</summary>
    public int? ResendOfDeliveryId { get; set; }

    public List<DeliveryAttempt> Attempts { get; set; } = [];
}

internal sealed class NoticeDeliveryConfiguration : IEntityTypeConfiguration<NoticeDelivery>
{
    public void Configure(EntityTypeBuilder<NoticeDelivery> builder)
    {
        builder.Property(d => d.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.Channel).HasConversion<string>().HasMaxLength(10);
        builder.Property(d => d.State).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.Reason).HasMaxLength(500);
        builder.Property(d => d.ProviderId).HasMaxLength(200);
        builder.Property(d => d.SmsReference).HasMaxLength(10);
        builder.HasIndex(d => d.ProviderId);
        builder.HasMany(d => d.Attempts).WithOne().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => new { d.State, d.Channel });
        builder.HasIndex(d => d.PractitionerId);
    }
}
