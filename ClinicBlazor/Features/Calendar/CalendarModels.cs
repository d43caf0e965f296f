namespace ClinicBlazor.Features.Calendar;

/// <summary>An empty slot someone clicked: the practitioner's column and the local start time.</summary>
public sealed record CalendarSlot(int PractitionerId, DateTime LocalStart);

/// <summary>An appointment with its place on the grid (CSS grid column and rows) and its local times.</summary>
public sealed record PlacedAppointment(CalendarAppointment Appointment, int Column, int RowStart, int RowEnd, TimeOnly LocalStart, TimeOnly LocalEnd);
