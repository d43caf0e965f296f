namespace ClinicBlazor.Features.Calendar;

/// <summary>An empty slot someone clicked: the practitioner's column and the local start time.</summary>
public sealed record CalendarSlot(int PractitionerId, DateTime LocalStart);

/// <summary>An appointment with its place on the grid (CSS grid column and rows) and its local times.</summary>
public sealed record PlacedAppointment(CalendarAppointment Appointment, int Column, int RowStart, int RowEnd, TimeOnly LocalStart, TimeOnly LocalEnd);

/// <summary>A stretch of one local day in minutes from midnight, end excluded (a working window on the grid).</summary>
public readonly record struct MinuteRange(int Start, int End);

/// <summary>A practitioner's working day on the grid: the local minutes they work, or a day of time off.</summary>
public sealed record WorkingDay(IReadOnlyList<MinuteRange> Windows, bool IsTimeOff);

/// <summary>Working days of the practitioners over the days on show, read once per view change.</summary>
public sealed class CalendarAvailability(IReadOnlyDictionary<(int PractitionerId, DateOnly Day), WorkingDay> days)
{
    /// <summary>The practitioner's day, or null when it was not read (nothing is shaded then).</summary>
    public WorkingDay? For(int practitionerId, DateOnly day) => days.GetValueOrDefault((practitionerId, day));
}

/// <summary>One shaded stretch of a column, outside working hours or time off, placed on the grid.</summary>
public sealed record AvailabilityShade(int PractitionerId, DateOnly Day, int Column, int RowStart, int RowEnd, bool IsTimeOff);
