using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Calendar;

namespace ClinicBlazor.Tests.Features.Calendar;

/// <summary>A Sydney clinic open 08:00–18:00 on weekdays, and appointments built in its local time.</summary>
public static class CalendarGridData
{
    public static readonly DateOnly Monday = new(2026, 11, 23);

    public static CalendarSetup Setup(int practitioners = 3) => new(
        "Australia/Sydney",
        Enumerable.Range(1, 5).Select(day => new BusinessHoursView((DayOfWeek)day, new TimeOnly(8, 0), new TimeOnly(18, 0))).ToList(),
        Enumerable.Range(1, practitioners).Select(id => new CalendarPractitioner(id, $"Practitioner {id}", "Physiotherapist")).ToList(),
        [new CalendarAppointmentType(1, "Follow-up", 45, "#43a047")]);

    public static IReadOnlyList<DateOnly> WorkingWeek => Enumerable.Range(0, 5).Select(Monday.AddDays).ToList();

    public static CalendarAppointment Appointment(CalendarSetup setup, int id, int practitionerId, DateOnly day, TimeOnly start, int minutes, bool cancelled = false, string patient = "Jane Smith")
    {
        var startUtc = setup.ToUtc(day.ToDateTime(start));
        return new CalendarAppointment(id, practitionerId, 100 + id, patient, 1, "Follow-up", "#43a047", startUtc, startUtc.AddMinutes(minutes),
            cancelled, cancelled ? CancellationReason.Sick : null, Guid.NewGuid());
    }

    /// <summary>The benchmark's busy week: every practitioner booked solid, 16 half-hours a day from 09:00.</summary>
    public static List<CalendarAppointment> BusyWeek(CalendarSetup setup)
    {
        var appointments = new List<CalendarAppointment>();
        var id = 0;
        foreach (var day in WorkingWeek)
        {
            foreach (var practitioner in setup.Practitioners)
            {
                for (var slot = 0; slot < 16; slot++)
                {
                    id++;
                    appointments.Add(Appointment(setup, id, practitioner.Id, day, new TimeOnly(9, 0).AddMinutes(30 * slot), 30, cancelled: id % 10 == 0, patient: $"Patient {id}"));
                }
            }
        }

        return appointments;
    }
}
