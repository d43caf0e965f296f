using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.Calendar;

/// <summary>
/// How one member of staff last left the calendar: the practitioners of their week view and the
/// toggles. Kept on the server, so it follows the person from one computer to the next.
/// </summary>
public sealed class CalendarViewPreference
{
    /// <summary>The staff user's id (one row each).</summary>
    public string UserId { get; set; } = "";

    /// <summary>Practitioner ids chosen for the week view, comma-separated, in the order chosen.</summary>
    public string WeekPractitionerIds { get; set; } = "";

    public bool ShowWeekend { get; set; }

    public bool ShowCancelled { get; set; } = true;
}

internal sealed class CalendarViewPreferenceConfiguration : IEntityTypeConfiguration<CalendarViewPreference>
{
    public void Configure(EntityTypeBuilder<CalendarViewPreference> builder)
    {
        builder.HasKey(p => p.UserId);
        builder.Property(p => p.UserId).HasMaxLength(450);
        builder.Property(p => p.WeekPractitionerIds).HasMaxLength(2000);
    }
}
