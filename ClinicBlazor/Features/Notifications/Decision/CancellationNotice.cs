using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// The decision made when one of a practitioner's appointments was cancelled, moved or booked (its
/// <see cref="Kind"/>): who was to be told and how (a snapshot of the practitioner's settings and of
/// the appointment), or why not. Written in the change's transaction; it is the durable record the
/// deliveries are sent from. (The name is the first kind's: the table and its columns keep it.)
/// </summary>
public sealed class CancellationNotice
{
    public int Id { get; set; }
    public int AppointmentId { get; set; }
    public int PractitionerId { get; set; }
    public Practitioner? Practitioner { get; set; }

    public NoticeKind Kind { get; set; } = NoticeKind.Cancellation;

    /// <summary>When the change was made (cancelled, moved or booked).</summary>
    public DateTime CancelledAtUtc { get; set; }

    /// <summary>The appointment's start after the change (for a move, the new start).</summary>
    public DateTime AppointmentStartUtc { get; set; }

    /// <summary>For a move: where it started before.</summary>
    public DateTime? PreviousStartUtc { get; set; }

    /// <summary>For a move to another practitioner: on the old one's notice, who has it now; on the new one's, who had it.</summary>
    public string? OtherPractitionerName { get; set; }
    public string PatientFirstName { get; set; } = "";
    public string PatientLastName { get; set; } = "";
    public string AppointmentTypeName { get; set; } = "";

    /// <summary>Who made the change: the practitioner themselves, reception, other staff, the patient online.</summary>
    public CancellerKind CancelledByKind { get; set; }

    /// <summary>Their name as it was then (a member of staff's display name); empty for the patient online.</summary>
    public string CancelledByName { get; set; } = "";
    public string? CancelledByUserId { get; set; }
    public CancellationReason? ReasonCode { get; set; }
    public string? Note { get; set; }

    /// <summary>"Jane Smith".</summary>
    public string PatientName => $"{PatientFirstName} {PatientLastName}".Trim();

    /// <summary>"Sam at reception", "the patient, online", "Dr Priya Sharma".</summary>
    public string CancelledBy => Canceller.Describe(CancelledByKind, CancelledByName);

    /// <summary>The reason as the patient or the desk chose it ("Feeling better").</summary>
    public string? Reason => ReasonCode?.Label();

    public NotificationMethod Method { get; set; }
    public string Email { get; set; } = "";
    public string MobileE164 { get; set; } = "";

    /// <summary>Why nobody is told (<see cref="NoticePolicy"/>'s reasons), or null when deliveries were made.</summary>
    public string? SuppressionReason { get; set; }

    /// <summary>Set when the change was undone (a cancellation reinstated, a move moved back, a new booking cancelled): unsent deliveries are dropped; a sent cancellation gets a follow-up.</summary>
    public DateTime? ReinstatedAtUtc { get; set; }

    public List<NoticeDelivery> Deliveries { get; set; } = [];

    /// <summary>A new delivery of this notice, Pending until <paramref name="dueUtc"/>.</summary>
    public NoticeDelivery AddDelivery(NoticeChannel channel, DeliveryKind kind, DateTime nowUtc, DateTime dueUtc)
    {
        var delivery = new NoticeDelivery
        {
            Notice = this,
            PractitionerId = PractitionerId,
            Channel = channel,
            Kind = kind,
            State = DeliveryState.Pending,
            CreatedAtUtc = nowUtc,
            UpdatedAtUtc = nowUtc,
            DueAtUtc = dueUtc,
        };
        Deliveries.Add(delivery);
        return delivery;
    }

    /// <summary>Whether any delivery has reached (or may have reached) a mail server or Twilio.</summary>
    public bool ReachedAProvider => Deliveries.Any(d => d.State is DeliveryState.Sending or DeliveryState.Unknown
        or DeliveryState.Sent or DeliveryState.Delivered or DeliveryState.Undelivered);

    /// <summary>The change was undone: marked so, and every delivery not yet handed to a provider is dropped with <paramref name="reason"/>.</summary>
    public void Undo(DateTime nowUtc, string reason)
    {
        ReinstatedAtUtc ??= nowUtc;
        foreach (var delivery in Deliveries.Where(d => d.State is DeliveryState.Pending or DeliveryState.Retrying))
        {
            delivery.Drop(nowUtc, reason);
        }
    }

    /// <summary>
    /// A cancellation that reached the provider after the appointment was reinstated gets a "back on"
    /// follow-up on its channel, once. Returns whether one was added (it is due at once).
    /// </summary>
    public bool FollowUpIfReinstated(NoticeDelivery sent, DateTime nowUtc)
    {
        if (Kind != NoticeKind.Cancellation || sent.Kind != DeliveryKind.Cancellation || ReinstatedAtUtc is null
            || Deliveries.Any(d => d.Kind == DeliveryKind.Reinstatement && d.Channel == sent.Channel))
        {
            return false;
        }

        AddDelivery(sent.Channel, DeliveryKind.Reinstatement, nowUtc, nowUtc);
        return true;
    }
}

internal sealed class CancellationNoticeConfiguration : IEntityTypeConfiguration<CancellationNotice>
{
    public void Configure(EntityTypeBuilder<CancellationNotice> builder)
    {
        builder.HasOne(n => n.Practitioner).WithMany().HasForeignKey(n => n.PractitionerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Appointments.Appointment>().WithMany().HasForeignKey(n => n.AppointmentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(n => n.Deliveries).WithOne(d => d.Notice).HasForeignKey(d => d.NoticeId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(n => n.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(n => n.OtherPractitionerName).HasMaxLength(200);
        builder.Property(n => n.PatientFirstName).HasMaxLength(100);
        builder.Property(n => n.PatientLastName).HasMaxLength(100);
        builder.Property(n => n.AppointmentTypeName).HasMaxLength(100);
        builder.Property(n => n.CancelledByKind).HasConversion<string>().HasMaxLength(20);
        builder.Property(n => n.CancelledByName).HasMaxLength(200);
        builder.Property(n => n.ReasonCode).HasConversion<string>().HasMaxLength(20);
        builder.Property(n => n.Note).HasMaxLength(1000);
        builder.Property(n => n.Method).HasConversion<string>().HasMaxLength(20);
        builder.Property(n => n.Email).HasMaxLength(256);
        builder.Property(n => n.MobileE164).HasMaxLength(20);
        builder.Property(n => n.SuppressionReason).HasMaxLength(100);
        builder.HasIndex(n => new { n.PractitionerId, n.CancelledAtUtc });
        builder.HasIndex(n => n.AppointmentId);
    }
}
