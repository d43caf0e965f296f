using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// The decision made when an appointment was cancelled: who was to be told and how (a snapshot of
/// the practitioner's settings and of the appointment), or why not. Written in the cancellation's
/// transaction; it is the durable record the deliveries are sent from.
/// </summary>
public sealed class CancellationNotice
{
    public int Id { get; set; }
    public int AppointmentId { get; set; }
    public int PractitionerId { get; set; }
    public Practitioner? Practitioner { get; set; }
    public DateTime CancelledAtUtc { get; set; }

    public DateTime AppointmentStartUtc { get; set; }
    public string PatientName { get; set; } = "";
    public string AppointmentTypeName { get; set; } = "";

    /// <summary>"Sam at reception", "the patient, online".</summary>
    public string CancelledBy { get; set; } = "";
    public string? CancelledByUserId { get; set; }
    public string? Reason { get; set; }
    public string? Note { get; set; }

    public NotificationMethod Method { get; set; }
    public string Email { get; set; } = "";
    public string MobileE164 { get; set; } = "";

    /// <summary>Why nobody is told (<see cref="CancellationPolicy"/>'s reasons), or null when deliveries were made.</summary>
    public string? SuppressionReason { get; set; }

    /// <summary>Set when the cancellation was undone: unsent deliveries are dropped, sent ones get a follow-up.</summary>
    public DateTime? ReinstatedAtUtc { get; set; }

    public List<NoticeDelivery> Deliveries { get; set; } = [];
}

public enum NoticeChannel
{
    Email = 0,
    Sms = 1,
}

public enum DeliveryState
{
    Pending = 0,
    Sending = 1,
    Sent = 2,
    Delivered = 3,
    Undelivered = 4,
    Retrying = 5,
    Failed = 6,
    Skipped = 7,
    Dropped = 8,
    Unknown = 9,
}

/// <summary>What a delivery carries: the cancellation itself, or the "is back on" follow-up after a reinstatement.</summary>
public enum DeliveryKind
{
    Cancellation = 0,
    Reinstatement = 1,
}

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

public enum AttemptOutcome
{
    InProgress = 0,
    Sent = 1,
    Transient = 2,
    Permanent = 3,
    Configuration = 4,
}

/// <summary>One try at sending a delivery.</summary>
public sealed class DeliveryAttempt
{
    public int Id { get; set; }
    public int DeliveryId { get; set; }
    public DateTime StartedAtUtc { get; set; }
    public DateTime? FinishedAtUtc { get; set; }
    public AttemptOutcome Outcome { get; set; }
    public string? ProviderId { get; set; }
    public string? Error { get; set; }

    /// <summary>For SMS: the exact body handed to the provider (reconciliation looks for it in the provider's log).</summary>
    public string? Body { get; set; }

    /// <summary>For SMS: whether this attempt carries the delivery's charge (a re-send after reconciliation does not).</summary>
    public bool Charged { get; set; }

    /// <summary>The email this attempt went out in (a digest carries several deliveries).</summary>
    public int? OutboxMessageId { get; set; }
}

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

internal sealed class CancellationNoticeConfiguration : IEntityTypeConfiguration<CancellationNotice>
{
    public void Configure(EntityTypeBuilder<CancellationNotice> builder)
    {
        builder.HasOne(n => n.Practitioner).WithMany().HasForeignKey(n => n.PractitionerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Appointments.Appointment>().WithMany().HasForeignKey(n => n.AppointmentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(n => n.Deliveries).WithOne(d => d.Notice).HasForeignKey(d => d.NoticeId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(n => n.PatientName).HasMaxLength(200);
        builder.Property(n => n.AppointmentTypeName).HasMaxLength(100);
        builder.Property(n => n.CancelledBy).HasMaxLength(200);
        builder.Property(n => n.Reason).HasMaxLength(50);
        builder.Property(n => n.Note).HasMaxLength(1000);
        builder.Property(n => n.Method).HasConversion<string>().HasMaxLength(20);
        builder.Property(n => n.Email).HasMaxLength(256);
        builder.Property(n => n.MobileE164).HasMaxLength(20);
        builder.Property(n => n.SuppressionReason).HasMaxLength(100);
        builder.HasIndex(n => new { n.PractitionerId, n.CancelledAtUtc });
        builder.HasIndex(n => n.AppointmentId);
    }
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

internal sealed class DeliveryAttemptConfiguration : IEntityTypeConfiguration<DeliveryAttempt>
{
    public void Configure(EntityTypeBuilder<DeliveryAttempt> builder)
    {
        builder.Property(a => a.Outcome).HasConversion<string>().HasMaxLength(20);
        builder.Property(a => a.ProviderId).HasMaxLength(200);
        builder.Property(a => a.Error).HasMaxLength(1000);
        builder.Property(a => a.Body).HasMaxLength(400);
        builder.HasOne<OutboxMessage>().WithMany().HasForeignKey(a => a.OutboxMessageId).OnDelete(DeleteBehavior.SetNull);
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
        builder.HasIndex(m => m.CreatedAtUtc);
    }
}
