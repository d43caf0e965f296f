using ClinicBlazor.Features.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.Staff;

/// <summary>
/// The practitioner profile of a staff user: who has appointments, and how they want to hear of
/// cancellations (off until they turn it on).
/// </summary>
public sealed class Practitioner
{
    public int Id { get; set; }
    public string UserId { get; set; } = "";
    public StaffUser? User { get; set; }

    /// <summary>Shown on calendar columns and in messages ("Priya Patel").</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>Job title shown under the name ("Physiotherapist").</summary>
    public string Title { get; set; } = "";

    /// <summary>Where email notices go; initialised from the sign-in email.</summary>
    public string NotificationEmail { get; set; } = "";

    /// <summary>E.164 mobile number ("+61412345678"), or empty.</summary>
    public string MobileE164 { get; set; } = "";

    public NotificationMethod NotificationMethod { get; set; } = NotificationMethod.Off;

    /// <summary>Why SMS to <see cref="MobileE164"/> is paused (the provider refused the number), or null; saving the number in My Info clears it.</summary>
    public string? SmsPausedReason { get; set; }

    public DateTime? SmsPausedAtUtc { get; set; }

    /// <summary>How far in advance: null means Anytime, otherwise N days (1–30).</summary>
    public int? NotifyWithinDays { get; set; }

    /// <summary>"Also tell me when an appointment is moved": move notices under the same method and window (off by default).</summary>
    public bool NotifyOfMoves { get; set; }

    /// <summary>"Also tell me about new bookings": new-booking notices under the same method and window (off by default).</summary>
    public bool NotifyOfNewBookings { get; set; }

    public bool IsActive { get; set; } = true;

    /// <summary>Whether patients may choose this practitioner on the online-booking pages.</summary>
    public bool OfferedOnline { get; set; } = true;

    /// <summary>Calendar column order.</summary>
    public int SortOrder { get; set; }
}

public enum NotificationMethod
{
    Off = 0,
    Email = 1,
    Sms = 2,
    SmsAndEmail = 3,
}

public static class NotificationMethodExtensions
{
    public static bool UsesEmail(this NotificationMethod method) => method is NotificationMethod.Email or NotificationMethod.SmsAndEmail;

    public static bool UsesSms(this NotificationMethod method) => method is NotificationMethod.Sms or NotificationMethod.SmsAndEmail;

    public static string Label(this NotificationMethod method) => method switch
    {
        NotificationMethod.Off => "Off",
        NotificationMethod.Email => "Email",
        NotificationMethod.Sms => "SMS",
        NotificationMethod.SmsAndEmail => "SMS and email",
        _ => method.ToString(),
    };
}

internal sealed class PractitionerConfiguration : IEntityTypeConfiguration<Practitioner>
{
    public void Configure(EntityTypeBuilder<Practitioner> builder)
    {
        builder.HasIndex(p => p.UserId).IsUnique();
        builder.HasOne(p => p.User).WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(p => p.DisplayName).HasMaxLength(200);
        builder.Property(p => p.Title).HasMaxLength(100);
        builder.Property(p => p.NotificationEmail).HasMaxLength(256);
        builder.Property(p => p.MobileE164).HasMaxLength(20);
        builder.Property(p => p.SmsPausedReason).HasMaxLength(300);
        builder.Property(p => p.NotificationMethod).HasConversion<string>().HasMaxLength(20);
    }
}
