using ClinicBlazor.Features.Staff;

namespace ClinicBlazor.Features.OnlineBookings;

/// <summary>
/// Free slots: every start, stepping through each working period in real (UTC) time, where an
/// appointment of the given length fits inside the period without touching a busy range. Stepping
/// in UTC means a daylight-saving day neither repeats nor loses a slot.
/// </summary>
public static class SlotCalculator
{
    public static IReadOnlyList<DateTime> FreeStarts(
        IEnumerable<UtcInterval> workingPeriods,
        IReadOnlyCollection<UtcInterval> busy,
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
                var candidate = new UtcInterval(start, start + duration);
                if (start >= notBeforeUtc && start <= notAfterUtc && !busy.Any(candidate.Overlaps))
                {
                    starts.Add(start);
                }
            }
        }

        return [.. starts];
    }
}
