using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.Settings;

/// <summary>The clinic itself: one row. Its time zone is used for display, business hours and slots.</summary>
public sealed class Clinic
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;
    public string Name { get; set; } = "";
    public string Phone { get; set; } = "";

    /// <summary>Street address as patients should read it (may span lines); shown on the online-booking pages.</summary>
    public string Address { get; set; } = "";

    /// <summary>How times are written on every page, email and SMS: 24-hour ("14:30", the default) or 12-hour ("2:30 pm").</summary>
    public TimeFormat TimeFormat { get; set; } = TimeFormat.TwentyFourHour;

    /// <summary>ISO 3166 region ("AU"): the default region for phone numbers.</summary>
    public string CountryCode { get; set; } = "AU";

    /// <summary>IANA time zone id ("Australia/Sydney").</summary>
    public string TimeZoneId { get; set; } = "Australia/Sydney";

    public List<BusinessHours> BusinessHours { get; set; } = [];

    public bool OnlineBookingEnabled { get; set; } = true;
    public int OnlineBookingHorizonDays { get; set; } = 30;
    public int OnlineCancellationCutoffHours { get; set; } = 24;

    /// <summary>"Tell patients when the clinic cancels or moves their appointment": by email (on by default).</summary>
    public bool TellPatientsByEmail { get; set; } = true;

    /// <summary>The same by SMS (off by default): one credit each; one that cannot go falls back to email.</summary>
    public bool TellPatientsBySms { get; set; }

    public TimeZoneInfo TimeZone => TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);

    public DateTime ToLocal(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(utc, TimeZone);

    public DateTime ToUtc(DateTime local) =>
        TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), TimeZone);
}

/// <summary>The clinic's clock style, chosen in Settings.</summary>
public enum TimeFormat
{
    TwentyFourHour = 0,
    TwelveHour = 1,
}

/// <summary>Opening hours for one weekday; a closed day has no row.</summary>
public sealed class BusinessHours
{
    public int Id { get; set; }
    public int ClinicId { get; set; }
    public DayOfWeek Day { get; set; }
    public TimeOnly Opens { get; set; }
    public TimeOnly Closes { get; set; }
}

internal sealed class ClinicConfiguration : IEntityTypeConfiguration<Clinic>
{
    public void Configure(EntityTypeBuilder<Clinic> builder)
    {
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.Name).HasMaxLength(200);
        builder.Property(c => c.Phone).HasMaxLength(40);
        builder.Property(c => c.Address).HasMaxLength(400);
        builder.Property(c => c.CountryCode).HasMaxLength(2);
        builder.Property(c => c.TimeZoneId).HasMaxLength(64);
        builder.Ignore(c => c.TimeZone);
        builder.HasMany(c => c.BusinessHours).WithOne().HasForeignKey(h => h.ClinicId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class BusinessHoursConfiguration : IEntityTypeConfiguration<BusinessHours>
{
    public void Configure(EntityTypeBuilder<BusinessHours> builder)
    {
        builder.HasIndex(h => new { h.ClinicId, h.Day }).IsUnique();
    }
}
