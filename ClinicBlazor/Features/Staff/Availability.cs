using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.Staff;

/// <summary>
/// One stretch of a practitioner's week in the clinic's local time ("Monday 08:30–12:30"); a day
/// may have several, never overlapping. A day with none is a day off.
/// </summary>
public sealed class PractitionerWorkingHours
{
    public int Id { get; set; }
    public int PractitionerId { get; set; }
    public DayOfWeek Day { get; set; }
    public TimeOnly Start { get; set; }
    public TimeOnly End { get; set; }
}

/// <summary>Whole days a practitioner is away, in the clinic's local dates, both ends included.</summary>
public sealed class PractitionerTimeOff
{
    public int Id { get; set; }
    public int PractitionerId { get; set; }
    public DateOnly StartDate { get; set; }
    public DateOnly EndDate { get; set; }
    public string Note { get; set; } = "";
}

internal sealed class PractitionerWorkingHoursConfiguration : IEntityTypeConfiguration<PractitionerWorkingHours>
{
    public void Configure(EntityTypeBuilder<PractitionerWorkingHours> builder)
    {
        builder.HasOne<Practitioner>().WithMany().HasForeignKey(h => h.PractitionerId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(h => new { h.PractitionerId, h.Day });
    }
}

internal sealed class PractitionerTimeOffConfiguration : IEntityTypeConfiguration<PractitionerTimeOff>
{
    public void Configure(EntityTypeBuilder<PractitionerTimeOff> builder)
    {
        builder.HasOne<Practitioner>().WithMany().HasForeignKey(t => t.PractitionerId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(t => t.Note).HasMaxLength(500);
        builder.HasIndex(t => new { t.PractitionerId, t.StartDate });
    }
}
