namespace ClinicBlazor.Features.Calendar;

/// <summary>An empty slot someone clicked: the practitioner's column and the local start time.</summary>
public sealed record CalendarSlot(int PractitionerId, DateTime LocalStart);

/// <summary>
/// An appointment with its place on the grid (CSS grid column and rows) and its local times.
/// <paramref name="Strips"/>: for a cancelled block under another appointment, its place among the
/// narrow strips at the lane's right edge (1, 2, …); for a block beside such strips, how many to
/// leave room for; 0 otherwise. So a cancelled appointment is never hidden under a new booking.
/// </summary>
public sealed record PlacedAppointment(CalendarAppointment Appointment, int Column, int RowStart, int RowEnd, TimeOnly LocalStart, TimeOnly LocalEnd, int Strips = 0)
{
    public bool IsStrip => Appointment.IsCancelled && Strips > 0;
}

/// <summary>A free quarter hour of one lane, focusable so a keyboard can book it.</summary>
public sealed record FreeSlot(int Column, int Row, int PractitionerId, string PractitionerName, DateOnly Day, int Minute, bool InTabOrder)
{
    public DateTime LocalStart => Day.ToDateTime(TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(Minute)));
}

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
