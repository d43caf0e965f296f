using ClinicBlazor.Features.Appointments;
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
    public string PatientFirstName { get; set; } = "";
    public string PatientLastName { get; set; } = "";
    public string AppointmentTypeName { get; set; } = "";

    /// <summary>Who cancelled: the practitioner themselves, reception, other staff, the patient online.</summary>
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

    /// <summary>Why nobody is told (<see cref="CancellationPolicy"/>'s reasons), or null when deliveries were made.</summary>
    public string? SuppressionReason { get; set; }

    /// <summary>Set when the cancellation was undone: unsent deliveries are dropped, sent ones get a follow-up.</summary>
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

    /// <summary>
    /// A cancellation that reached the provider after the appointment was reinstated gets a "back on"
    /// follow-up on its channel, once. Returns whether one was added (it is due at once).
    /// </summary>
    public bool FollowUpIfReinstated(NoticeDelivery sent, DateTime nowUtc)
    {
        if (sent.Kind != DeliveryKind.Cancellation || ReinstatedAtUtc is null
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
