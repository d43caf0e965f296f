using ClinicBlazor.Data;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Calendar;

/// <summary>How the signed-in person sees the calendar: the practitioners of their week view and the toggles.</summary>
public sealed record CalendarPreferences(IReadOnlyList<int> WeekPractitionerIds, bool ShowWeekend, bool ShowCancelled);

/// <summary>
/// Remembers each person's calendar choices on the server (not in one browser). Until they choose,
/// a practitioner's week view shows their own week, and anyone else's the first practitioner's.
/// </summary>
public sealed class CalendarPreferencesService(IDbContextFactory<ClinicDbContext> dbFactory, ClinicAuthorization authorization)
{
    public async Task<CalendarPreferences> GetAsync(CalendarSetup setup, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.UseCalendar);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var saved = await db.Set<CalendarViewPreference>().AsNoTracking().SingleOrDefaultAsync(p => p.UserId == actor.UserId, cancellationToken);
        var active = setup.Practitioners.Select(p => p.Id).ToHashSet();
        var chosen = (saved is null ? [] : Parse(saved.WeekPractitionerIds)).Where(active.Contains).ToList();
        if (chosen.Count == 0)
        {
            var own = await db.Set<Practitioner>().AsNoTracking()
                .Where(p => p.UserId == actor.UserId && p.IsActive)
                .Select(p => (int?)p.Id)
                .FirstOrDefaultAsync(cancellationToken);
            if ((own ?? (setup.Practitioners.Count > 0 ? setup.Practitioners[0].Id : null)) is { } first)
            {
                chosen.Add(first);
            }
        }

        return new CalendarPreferences(chosen, saved?.ShowWeekend ?? false, saved?.ShowCancelled ?? true);
    }

    public async Task SaveAsync(CalendarPreferences preferences, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.UseCalendar);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<CalendarViewPreference>().SingleOrDefaultAsync(p => p.UserId == actor.UserId, cancellationToken);
        if (row is null)
        {
            row = new CalendarViewPreference { UserId = actor.UserId };
            db.Add(row);
        }

        row.WeekPractitionerIds = string.Join(',', preferences.WeekPractitionerIds.Distinct());
        row.ShowWeekend = preferences.ShowWeekend;
        row.ShowCancelled = preferences.ShowCancelled;
        await db.SaveChangesAsync(cancellationToken);
    }

    private static IEnumerable<int> Parse(string ids) =>
        ids.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.TryParse(s, out var id) ? id : 0).Where(id => id > 0);
}
