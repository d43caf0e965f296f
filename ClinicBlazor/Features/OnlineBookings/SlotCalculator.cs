namespace ClinicBlazor.Features.OnlineBookings;

/// <summary>A span of time in UTC: a working period, a booking, time off.</summary>
public readonly record struct TimeRange(DateTime StartUtc, DateTime EndUtc)
{
    public bool Overlaps(TimeRange other) => StartUtc < other.EndUtc && other.StartUtc < EndUtc;
}

/// <summary>
/// Free slots: every start, stepping through each working period in real (UTC) time, where an
/// appointment of the given length fits inside the period without touching a busy range. Stepping
/// in UTC means a daylight-saving day neither repeats nor loses a slot.
/// </summary>
public static class SlotCalculator
{
    public static IReadOnlyList<DateTime> FreeStarts(
        IEnumerable<TimeRange> workingPeriods,
        IReadOnlyCollection<TimeRange> busy,
        TimeSpan duration,
        TimeSpan step,
        DateTime notBeforeUtc,
        DateTime notAfterUtc)
    {
        var starts = new SortedSet<DateTime>();
        foreach (var period in workingPeriods)
        {
            for (var start = period.StartUtc; start + duration <= period.EndUtc; start += step)
            {
                var candidate = new TimeRange(start, start + duration);
                if (start >= notBeforeUtc && start <= notAfterUtc && !busy.Any(candidate.Overlaps))
                {
                    starts.Add(start);
                }
            }
        }

        return [.. starts];
    }
}
