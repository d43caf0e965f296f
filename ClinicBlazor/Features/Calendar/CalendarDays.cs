namespace ClinicBlazor.Features.Calendar;

/// <summary>Which days the calendar shows for a date, where Previous and Next go, and the range's title.</summary>
public static class CalendarDays
{
    /// <summary>The week (Monday first) or day around the date; a week that holds today shows its weekend when today is one.</summary>
    public static List<DateOnly> Shown(DateOnly anchor, bool isWeek, DateOnly today, bool showWeekend)
    {
        if (!isWeek)
        {
            return [anchor];
        }

        var monday = anchor.AddDays(-(((int)anchor.DayOfWeek + 6) % 7));
        var todayIsWeekendOfThisWeek = today >= monday && today <= monday.AddDays(6) && today.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        return Enumerable.Range(0, showWeekend || todayIsWeekendOfThisWeek ? 7 : 5).Select(monday.AddDays).ToList();
    }

    /// <summary>A week or a day on (direction 1) or back (-1); the Day view skips weekends unless they are shown or today is one.</summary>
    public static DateOnly Step(DateOnly anchor, int direction, bool isWeek, DateOnly today, bool showWeekend)
    {
        var next = anchor.AddDays(direction * (isWeek ? 7 : 1));
        if (!isWeek && !showWeekend)
        {
            while (next.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday && next != today)
            {
                next = next.AddDays(direction);
            }
        }

        return next;
    }

    /// <summary>The range header: the whole date of a day, or a week's first and last day.</summary>
    public static string Title(IReadOnlyList<DateOnly> days) => days.Count switch
    {
        0 => "",
        1 => days[0].ToString("dddd d MMMM yyyy"),
        _ => $"{days[0]:d MMM} – {days[^1]:d MMM yyyy}",
    };
}
