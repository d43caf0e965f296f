using ClinicBlazor.Features.Settings;

namespace ClinicBlazor.Features.Calendar;

/// <summary>
/// Where everything sits on the calendar grid for the days, lanes and hours on show: columns are
/// days × practitioners (after the hours column), rows are 5 minutes (after the two header rows).
/// Pure arithmetic, so <see cref="CalendarGrid"/> only renders what this places.
/// </summary>
public sealed class CalendarLayout
{
    private readonly IReadOnlyList<DateOnly> days;
    private readonly IReadOnlyList<CalendarPractitioner> practitioners;

    private CalendarLayout(IReadOnlyList<DateOnly> days, IReadOnlyList<CalendarPractitioner> practitioners, int firstMinute, int lastMinute)
    {
        this.days = days;
        this.practitioners = practitioners;
        FirstMinute = firstMinute;
        LastMinute = lastMinute;
    }

    /// <summary>The first minute of the day on the grid (a whole hour).</summary>
    public int FirstMinute { get; }

    /// <summary>The minute the grid ends at (a whole hour).</summary>
    public int LastMinute { get; }

    /// <summary>How many 5-minute rows the hours take.</summary>
    public int RowCount => (LastMinute - FirstMinute) / 5;

    /// <summary>The grid for these days and lanes over the clinic's hours on those days.</summary>
    public static CalendarLayout For(CalendarSetup setup, IReadOnlyList<DateOnly> days, IReadOnlyList<CalendarPractitioner> practitioners)
    {
        var (first, last) = OpeningSpan(setup, days);
        return new CalendarLayout(days, practitioners, first, last);
    }

    /// <summary>The grid column of a day's first lane.</summary>
    public int FirstColumn(int dayIndex) => 2 + dayIndex * practitioners.Count;

    /// <summary>The grid row a minute of the day starts in.</summary>
    public int RowOf(int minuteOfDay) => 3 + (minuteOfDay - FirstMinute) / 5;

    /// <summary>The grid row a stretch ending at this minute ends before, rounded outwards to a whole row.</summary>
    private int RowAfter(int minuteOfDay) => 3 + (minuteOfDay - FirstMinute + 4) / 5;

    /// <summary>The earliest opening to the latest closing over the days shown (08:00–18:00 when the clinic is closed all of them).</summary>
    private static (int First, int Last) OpeningSpan(CalendarSetup setup, IReadOnlyList<DateOnly> days)
    {
        var shownDays = days.Select(d => d.DayOfWeek).ToHashSet();
        var hours = setup.BusinessHours.Where(h => shownDays.Contains(h.Day)).ToList();
        if (hours.Count == 0)
        {
            return (8 * 60, 18 * 60);
        }

        var first = hours.Min(h => h.Opens.Hour * 60 + h.Opens.Minute) / 60 * 60;
        var last = hours.Max(h => h.Closes.Hour * 60 + h.Closes.Minute);
        last = (last + 59) / 60 * 60;
        return (first, Math.Max(last, first + 60));
    }

    /// <summary>For each lane, the stretches of the grid's hours outside the practitioner's working windows.</summary>
    public List<AvailabilityShade> Shade(CalendarAvailability? availability)
    {
        var result = new List<AvailabilityShade>();
        if (availability is null)
        {
            return result;
        }

        for (var d = 0; d < days.Count; d++)
        {
            for (var p = 0; p < practitioners.Count; p++)
            {
                var practitionerId = practitioners[p].Id;
                if (availability.For(practitionerId, days[d]) is not { } working)
                {
                    continue;
                }

                var column = FirstColumn(d) + p;
                if (working.IsTimeOff)
                {
                    result.Add(new AvailabilityShade(practitionerId, days[d], column, RowOf(FirstMinute), RowOf(LastMinute), true));
                    continue;
                }

                var cursor = FirstMinute;
                foreach (var window in working.Windows.OrderBy(w => w.Start))
                {
                    var start = Math.Clamp(window.Start, FirstMinute, LastMinute);
                    if (start > cursor)
                    {
                        result.Add(new AvailabilityShade(practitionerId, days[d], column, RowOf(cursor), RowAfter(start), false));
                    }

                    cursor = Math.Max(cursor, Math.Clamp(window.End, FirstMinute, LastMinute));
                }

                if (cursor < LastMinute)
                {
                    result.Add(new AvailabilityShade(practitionerId, days[d], column, RowOf(cursor), RowAfter(LastMinute), false));
                }
            }
        }

        return result;
    }

    /// <summary>Each appointment on a day and lane on show, in its cell, layered so nothing cancelled is covered.</summary>
    public List<PlacedAppointment> Place(IReadOnlyList<CalendarAppointment> appointments, bool showCancelled, TimeZoneInfo timeZone)
    {
        var dayIndex = new Dictionary<DateOnly, int>(days.Count);
        for (var i = 0; i < days.Count; i++)
        {
            dayIndex[days[i]] = i;
        }

        var practitionerIndex = new Dictionary<int, int>(practitioners.Count);
        for (var i = 0; i < practitioners.Count; i++)
        {
            practitionerIndex[practitioners[i].Id] = i;
        }

        var placed = new List<PlacedAppointment>(appointments.Count);
        foreach (var appointment in appointments)
        {
            if ((appointment.IsCancelled && !showCancelled) || !practitionerIndex.TryGetValue(appointment.PractitionerId, out var p))
            {
                continue;
            }

            var start = TimeZoneInfo.ConvertTimeFromUtc(appointment.StartUtc, timeZone);
            if (!dayIndex.TryGetValue(DateOnly.FromDateTime(start), out var d))
            {
                continue;
            }

            var end = TimeZoneInfo.ConvertTimeFromUtc(appointment.EndUtc, timeZone);
            var startMinute = Math.Clamp(start.Hour * 60 + start.Minute, FirstMinute, LastMinute - 5);
            var endMinute = end.Date > start.Date ? LastMinute : Math.Clamp(end.Hour * 60 + end.Minute, startMinute + 5, LastMinute);
            placed.Add(new PlacedAppointment(
                appointment,
                FirstColumn(d) + p,
                RowOf(startMinute),
                RowAfter(endMinute),
                TimeOnly.FromDateTime(start),
                TimeOnly.FromDateTime(end)));
        }

        return Layer(placed);
    }

    /// <summary>
    /// A cancelled block that shares rows with another block in its lane becomes a strip at the lane's
    /// edge, and the block it would hide under leaves room for it: nothing cancelled is ever covered.
    /// </summary>
    private static List<PlacedAppointment> Layer(List<PlacedAppointment> placed)
    {
        var result = new List<PlacedAppointment>(placed.Count);
        foreach (var lane in placed.GroupBy(p => p.Column))
        {
            if (!lane.Any(p => p.Appointment.IsCancelled) || lane.Count() == 1)
            {
                result.AddRange(lane);
                continue;
            }

            var strips = new List<PlacedAppointment>();
            var full = lane.Where(p => !p.Appointment.IsCancelled).ToList();
            foreach (var cancelled in lane.Where(p => p.Appointment.IsCancelled).OrderBy(p => p.RowStart).ThenBy(p => p.Appointment.Id))
            {
                if (!full.Any(other => Overlaps(other, cancelled)))
                {
                    full.Add(cancelled);
                    continue;
                }

                strips.Add(cancelled with { Strips = strips.Count(s => Overlaps(s, cancelled)) + 1 });
            }

            result.AddRange(strips);
            result.AddRange(full.Select(block => strips.Count(s => Overlaps(s, block)) is var beside and > 0 ? block with { Strips = beside } : block));
        }

        return result;
    }

    private static bool Overlaps(PlacedAppointment a, PlacedAppointment b) => a.RowStart < b.RowEnd && b.RowStart < a.RowEnd;

    /// <summary>Every free quarter hour of every lane, in lane then time order (the order arrow keys move in).</summary>
    public List<FreeSlot> FreeSlots(IReadOnlyList<PlacedAppointment> placed)
    {
        var busy = placed.Where(p => !p.Appointment.IsCancelled).ToLookup(p => p.Column);
        var slots = new List<FreeSlot>();
        for (var d = 0; d < days.Count; d++)
        {
            for (var p = 0; p < practitioners.Count; p++)
            {
                var column = FirstColumn(d) + p;
                var first = true;
                for (var minute = FirstMinute; minute + 15 <= LastMinute; minute += 15)
                {
                    var row = RowOf(minute);
                    if (busy[column].Any(b => b.RowStart < row + 3 && row < b.RowEnd))
                    {
                        continue;
                    }

                    slots.Add(new FreeSlot(column, row, practitioners[p].Id, practitioners[p].DisplayName, days[d], minute, first));
                    first = false;
                }
            }
        }

        return slots;
    }
}
