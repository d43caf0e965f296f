using ClinicBlazor.Data;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.Appointments;

public sealed class Appointment : IVersioned
{
    public int Id { get; set; }
    public int PractitionerId { get; set; }
    public Practitioner? Practitioner { get; set; }
    public int PatientId { get; set; }
    public Patient? Patient { get; set; }
    public int AppointmentTypeId { get; set; }
    public AppointmentType? AppointmentType { get; set; }

    public DateTime StartUtc { get; set; }
    public DateTime EndUtc { get; set; }

    public AppointmentStatus Status { get; set; } = AppointmentStatus.Booked;

    public DateTime BookedAtUtc { get; set; }
    public string? BookedByUserId { get; set; }
    public bool BookedOnline { get; set; }

    public DateTime? CancelledAtUtc { get; set; }

    /// <summary>The staff user who cancelled; null when the patient cancelled online.</summary>
    public string? CancelledByUserId { get; set; }

    /// <summary>Display name of whoever cancelled, kept as it was at the time.</summary>
    public string? CancelledByName { get; set; }

    public CancellationSource? CancellationSource { get; set; }
    public CancellationReason? CancellationReason { get; set; }
    public string? CancellationNote { get; set; }

    /// <summary>SHA-256 of the patient's private manage-link token (never the token itself).</summary>
    public byte[]? ManageTokenHash { get; set; }

    public Guid Version { get; set; }

    public bool IsCancelled => Status == AppointmentStatus.Cancelled;
}

public enum AppointmentStatus
{
    Booked = 0,
    Cancelled = 1,
}

public enum CancellationSource
{
    Staff = 0,
    OnlineBooking = 1,
}

public enum CancellationReason
{
    FeelingBetter = 1,
    ConditionWorse = 2,
    Sick = 3,
    Away = 4,
    Work = 5,
    Other = 6,
}

public static class CancellationReasonExtensions
{
    public static string Label(this CancellationReason reason) => reason switch
    {
        CancellationReason.FeelingBetter => "Feeling better",
        CancellationReason.ConditionWorse => "Condition worse",
        CancellationReason.Sick => "Sick",
        CancellationReason.Away => "Away",
        CancellationReason.Work => "Work",
        CancellationReason.Other => "Other",
        _ => reason.ToString(),
    };
}

internal sealed class AppointmentConfiguration : IEntityTypeConfiguration<Appointment>
{
    public void Configure(EntityTypeBuilder<Appointment> builder)
    {
        builder.HasOne(a => a.Practitioner).WithMany().HasForeignKey(a => a.PractitionerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(a => a.Patient).WithMany().HasForeignKey(a => a.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(a => a.AppointmentType).WithMany().HasForeignKey(a => a.AppointmentTypeId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(a => a.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(a => a.CancellationSource).HasConversion<string>().HasMaxLength(20);
        builder.Property(a => a.CancellationReason).HasConversion<string>().HasMaxLength(20);
        builder.Property(a => a.CancellationNote).HasMaxLength(1000);
        builder.Property(a => a.CancelledByName).HasMaxLength(200);
        builder.Property(a => a.Version).IsConcurrencyToken();
        builder.Ignore(a => a.IsCancelled);
        builder.HasIndex(a => new { a.PractitionerId, a.StartUtc });
        builder.HasIndex(a => a.StartUtc);
        builder.HasIndex(a => a.PatientId);
        builder.HasIndex(a => a.ManageTokenHash).IsUnique();
    }
}
