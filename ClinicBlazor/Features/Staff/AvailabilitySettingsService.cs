using ClinicBlazor.Data;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Settings;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Staff;

/// <summary>One stretch of working time on a weekday, as the Availability tab edits it.</summary>
public sealed record WorkingPeriod(DayOfWeek Day, TimeOnly Start, TimeOnly End);

public sealed record TimeOffDraft(DateOnly StartDate, DateOnly EndDate, string Note);

public sealed record PractitionerAvailability(int PractitionerId, string DisplayName, IReadOnlyList<WorkingPeriod> WorkingHours, IReadOnlyList<PractitionerTimeOff> TimeOff);

/// <summary>The Availability tab: each practitioner's weekly hours and time off. Admins only, audited.</summary>
public sealed class AvailabilitySettingsService(
    IDbContextFactory<ClinicDbContext> dbFactory,
    ClinicAuthorization authorization,
    AuditLog audit)
{
    public const string EndBeforeStart = "{0}: working hours must end after they start.";
    public const string Overlapping = "{0}: {1} overlaps {2}.";
    public const string TimeOffEndsBeforeStart = "Time off must end on or after the day it starts.";
    public const string NoteTooLong = "Keep the note under 500 characters.";

    public async Task<PractitionerAvailability> GetAsync(int practitionerId, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ManageClinic);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var practitioner = await db.Set<Practitioner>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == practitionerId, cancellationToken)
                           ?? throw new InvalidOperationException($"No practitioner {practitionerId}.");
        var hours = await db.Set<PractitionerWorkingHours>().AsNoTracking().Where(h => h.PractitionerId == practitionerId).ToListAsync(cancellationToken);
        var timeOff = await db.Set<PractitionerTimeOff>().AsNoTracking().Where(t => t.PractitionerId == practitionerId)
            .OrderBy(t => t.StartDate).ToListAsync(cancellationToken);
        return new PractitionerAvailability(
            practitioner.Id,
            practitioner.DisplayName,
            hours.OrderBy(h => ((int)h.Day + 6) % 7).ThenBy(h => h.Start).Select(h => new WorkingPeriod(h.Day, h.Start, h.End)).ToList(),
            timeOff);
    }

    /// <summary>Replaces the practitioner's whole week.</summary>
    public async Task<Result> SaveWorkingHoursAsync(int practitionerId, IReadOnlyList<WorkingPeriod> periods, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.ManageClinic);
        if (Validate(periods) is { Succeeded: false } invalid)
        {
            return invalid;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var practitioner = await db.Set<Practitioner>().SingleOrDefaultAsync(p => p.Id == practitionerId, cancellationToken)
                           ?? throw new InvalidOperationException($"No practitioner {practitionerId}.");
        var existing = await db.Set<PractitionerWorkingHours>().Where(h => h.PractitionerId == practitionerId).ToListAsync(cancellationToken);
        var before = Describe(existing.Select(h => new WorkingPeriod(h.Day, h.Start, h.End)));
        var after = Describe(periods);
        if (before == after)
        {
            return Result.Ok();
        }

        db.RemoveRange(existing);
        db.AddRange(periods.Select(p => new PractitionerWorkingHours { PractitionerId = practitionerId, Day = p.Day, Start = p.Start, End = p.End }));
        audit.Record(db, actor, AuditAreas.Availability, practitioner.DisplayName, $"Working hours: '{before}' → '{after}'");
        await db.SaveChangesAsync(cancellationToken);
        return Result.Ok();
    }

    public async Task<Result<PractitionerTimeOff>> AddTimeOffAsync(int practitionerId, TimeOffDraft draft, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.ManageClinic);
        if (draft.EndDate < draft.StartDate)
        {
            return Result.Fail(TimeOffEndsBeforeStart, nameof(draft.EndDate));
        }

        var note = draft.Note.Trim();
        if (note.Length > 500)
        {
            return Result.Fail(NoteTooLong, nameof(draft.Note));
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var practitioner = await db.Set<Practitioner>().SingleOrDefaultAsync(p => p.Id == practitionerId, cancellationToken)
                           ?? throw new InvalidOperationException($"No practitioner {practitionerId}.");
        var timeOff = new PractitionerTimeOff { PractitionerId = practitionerId, StartDate = draft.StartDate, EndDate = draft.EndDate, Note = note };
        db.Add(timeOff);
        audit.Record(db, actor, AuditAreas.Availability, practitioner.DisplayName, $"Time off added: {Describe(timeOff)}");
        await db.SaveChangesAsync(cancellationToken);
        return Result<PractitionerTimeOff>.Ok(timeOff);
    }

    public async Task RemoveTimeOffAsync(int timeOffId, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.ManageClinic);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var timeOff = await db.Set<PractitionerTimeOff>().SingleOrDefaultAsync(t => t.Id == timeOffId, cancellationToken);
        if (timeOff is null)
        {
            return;
        }

        var name = await db.Set<Practitioner>().Where(p => p.Id == timeOff.PractitionerId).Select(p => p.DisplayName).SingleAsync(cancellationToken);
        db.Remove(timeOff);
        audit.Record(db, actor, AuditAreas.Availability, name, $"Time off removed: {Describe(timeOff)}");
        await db.SaveChangesAsync(cancellationToken);
    }

    public static Result Validate(IReadOnlyList<WorkingPeriod> periods)
    {
        foreach (var period in periods.Where(p => p.End <= p.Start))
        {
            return Result.Fail(Format(EndBeforeStart, period.Day), nameof(WorkingPeriod.End));
        }

        foreach (var day in periods.GroupBy(p => p.Day))
        {
            var ordered = day.OrderBy(p => p.Start).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                if (ordered[i].Start < ordered[i - 1].End)
                {
                    return Result.Fail(Format(Overlapping, day.Key, Describe(ordered[i]), Describe(ordered[i - 1])), nameof(WorkingPeriod.Start));
                }
            }
        }

        return Result.Ok();
    }

    private static string Format(string format, params object[] args) => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);

    private static string Describe(WorkingPeriod period) => $"{period.Start:HH\\:mm}–{period.End:HH\\:mm}";

    private static string Describe(IEnumerable<WorkingPeriod> periods) =>
        string.Join(", ", periods.OrderBy(p => ((int)p.Day + 6) % 7).ThenBy(p => p.Start).Select(p => $"{p.Day.ToString()[..3]} {Describe(p)}"));

    private static string Describe(PractitionerTimeOff timeOff) =>
        $"{timeOff.StartDate:d MMM yyyy}–{timeOff.EndDate:d MMM yyyy}{(timeOff.Note.Length > 0 ? $" ({timeOff.Note})" : "")}";
}
