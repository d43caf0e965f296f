using ClinicBlazor.Data;
using ClinicBlazor.Features.Settings;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Staff;

/// <summary>A stretch of time between two instants, end excluded.</summary>
public readonly record struct UtcInterval(DateTime StartUtc, DateTime EndUtc)
{
    public bool Contains(DateTime startUtc, DateTime endUtc) => StartUtc <= startUtc && endUtc <= EndUtc;

    public bool Overlaps(UtcInterval other) => StartUtc < other.EndUtc && other.StartUtc < EndUtc;
}

/// <summary>
/// When practitioners work, as instants: their weekly hours in the clinic's zone, minus time off.
/// The calendar shades outside these windows and online booking offers slots only inside them.
/// Reads only; anyone may ask (the public booking pages do).
/// </summary>
public sealed class AvailabilityService(IDbContextFactory<ClinicDbContext> dbFactory)
{
    /// <summary>The practitioner's working windows on one local date of the clinic, in UTC, in order.</summary>
    public async Task<IReadOnlyList<UtcInterval>> GetWorkingWindowsAsync(int practitionerId, DateOnly localDate, CancellationToken cancellationToken = default)
    {
        var windows = await GetWorkingWindowsAsync([practitionerId], localDate, localDate, cancellationToken);
        return windows[practitionerId][localDate];
    }

    /// <summary>
    /// Working windows for several practitioners over local dates <paramref name="from"/>..<paramref name="to"/>
    /// (both included) in one query: practitioner → date → windows (empty on a day off).
    /// </summary>
    public async Task<IReadOnlyDictionary<int, IReadOnlyDictionary<DateOnly, IReadOnlyList<UtcInterval>>>> GetWorkingWindowsAsync(
        IReadOnlyCollection<int> practitionerIds, DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var timeZoneId = await db.Set<Clinic>().AsNoTracking().Select(c => c.TimeZoneId).SingleAsync(cancellationToken);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        var hours = await db.Set<PractitionerWorkingHours>().AsNoTracking()
            .Where(h => practitionerIds.Contains(h.PractitionerId)).ToListAsync(cancellationToken);
        var timeOff = await db.Set<PractitionerTimeOff>().AsNoTracking()
            .Where(t => practitionerIds.Contains(t.PractitionerId) && t.StartDate <= to && t.EndDate >= from).ToListAsync(cancellationToken);

        var result = new Dictionary<int, IReadOnlyDictionary<DateOnly, IReadOnlyList<UtcInterval>>>();
        foreach (var practitionerId in practitionerIds.Distinct())
        {
            var days = new Dictionary<DateOnly, IReadOnlyList<UtcInterval>>();
            for (var date = from; date <= to; date = date.AddDays(1))
            {
                var away = timeOff.Any(t => t.PractitionerId == practitionerId && t.StartDate <= date && date <= t.EndDate);
                days[date] = away
                    ? []
                    : hours.Where(h => h.PractitionerId == practitionerId && h.Day == date.DayOfWeek)
                        .OrderBy(h => h.Start)
                        .Select(h => new UtcInterval(ClinicClock.StartToUtc(date, h.Start, zone), ClinicClock.EndToUtc(date, h.End, zone)))
                        .Where(w => w.EndUtc > w.StartUtc)
                        .ToList();
            }

            result[practitionerId] = days;
        }

        return result;
    }

    /// <summary>Whether an appointment lies wholly inside one of the practitioner's working windows (booking outside is allowed, with a warning).</summary>
    public async Task<bool> IsWithinWorkingHoursAsync(int practitionerId, DateTime startUtc, DateTime endUtc, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var timeZoneId = await db.Set<Clinic>().AsNoTracking().Select(c => c.TimeZoneId).SingleAsync(cancellationToken);
        var localDate = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(startUtc, TimeZoneInfo.FindSystemTimeZoneById(timeZoneId)));
        var windows = await GetWorkingWindowsAsync(practitionerId, localDate, cancellationToken);
        return windows.Any(w => w.Contains(startUtc, endUtc));
    }
}
