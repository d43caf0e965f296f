namespace ClinicBlazor.Features.Calendar;

/// <summary>What "New appointment" pre-fills: the day on show (today when it is on show) at the first free quarter hour, with whoever is free first.</summary>
public static class NewAppointmentSlot
{
    /// <summary>The suggested slot, or null when there is nothing on show to suggest from.</summary>
    public static CalendarSlot? Suggest(
        CalendarSetup? setup, IReadOnlyList<DateOnly> days, DateOnly today, IReadOnlyList<CalendarPractitioner> practitioners,
        IReadOnlyList<CalendarAppointment> appointments, DateTime utcNow)
    {
        if (setup is null || days.Count == 0 || practitioners.Count == 0)
        {
            return null;
        }

        var day = days.Contains(today) ? today : days[0];
        var duration = setup.AppointmentTypes.Count > 0 ? setup.AppointmentTypes[0].DurationMinutes : 30;
        var now = setup.ToLocal(utcNow);
        var free = practitioners
            .Select(p => (Practitioner: p, Start: NextFreeStart(setup, appointments, p.Id, day, duration, now)))
            .Where(c => c.Start is not null)
            .OrderBy(c => c.Start)
            .FirstOrDefault();
        return free.Start is { } start
            ? new CalendarSlot(free.Practitioner.Id, start)
            : new CalendarSlot(practitioners[0].Id, day.ToDateTime(new TimeOnly(9, 0)));
    }

    private static DateTime? NextFreeStart(CalendarSetup setup, IReadOnlyList<CalendarAppointment> appointments, int practitionerId, DateOnly day, int durationMinutes, DateTime now)
    {
        var hours = setup.BusinessHours.Where(h => h.Day == day.DayOfWeek).ToList();
        var opens = hours.Count == 0 ? new TimeOnly(8, 0) : hours.Min(h => h.Opens);
        var closes = hours.Count == 0 ? new TimeOnly(18, 0) : hours.Max(h => h.Closes);
        var candidate = day.ToDateTime(opens);
        if (DateOnly.FromDateTime(now) == day && now > candidate)
        {
            candidate = now.Date.AddMinutes(Math.Ceiling(now.TimeOfDay.TotalMinutes / 15) * 15);
        }

        var taken = appointments.Where(a => a.PractitionerId == practitionerId && !a.IsCancelled)
            .Select(a => (Start: setup.ToLocal(a.StartUtc), End: setup.ToLocal(a.EndUtc))).ToList();
        for (; candidate.AddMinutes(durationMinutes) <= day.ToDateTime(closes); candidate = candidate.AddMinutes(15))
        {
            var end = candidate.AddMinutes(durationMinutes);
            if (!taken.Any(t => t.Start < end && candidate < t.End))
            {
                return candidate;
            }
        }

        return null;
    }
}
