using ClinicBlazor.Data;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Identity;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Settings;

/// <summary>The areas of the audit, as filters show them.</summary>
public static class AuditAreas
{
    public const string Clinic = "Clinic";
    public const string AppointmentTypes = "Appointment types";
    public const string Staff = "Staff";
    public const string Availability = "Availability";
    public const string OnlineBookings = "Online bookings";
    public const string MyInfo = "My Info";

    public static readonly IReadOnlyList<string> All = [Clinic, AppointmentTypes, Staff, Availability, OnlineBookings, MyInfo];
}

/// <summary>Filters for the Audit page; null means "any". Dates are the clinic's local dates, inclusive.</summary>
public sealed record AuditQuery(string? Area = null, string? Person = null, DateOnly? From = null, DateOnly? To = null, int Take = 500);

/// <summary>
/// Records every settings change (and admin edits of My Info) in the same transaction as the change,
/// and lists them for admins.
/// </summary>
public sealed class AuditLog(IDbContextFactory<ClinicDbContext> dbFactory, ClinicAuthorization authorization, TimeProvider clock)
{
    /// <summary>Adds an entry to the caller's context: it is saved with the change it describes, or not at all.</summary>
    public void Record(ClinicDbContext db, Actor actor, string area, string subject, string change)
    {
        db.Add(new AuditEntry
        {
            AtUtc = clock.GetUtcNow().UtcDateTime,
            ActorUserId = actor.UserId,
            ActorName = actor.DisplayName,
            Area = area,
            Subject = Truncate(subject, 200),
            Change = Truncate(change, 4000),
        });
    }

    /// <summary>Records an entry on its own, for changes saved elsewhere (Identity's user manager).</summary>
    public async Task RecordAsync(Actor actor, string area, string subject, string change, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        Record(db, actor, area, subject, change);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ManageClinic);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync(cancellationToken);
        var entries = db.Set<AuditEntry>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Area))
        {
            entries = entries.Where(e => e.Area == query.Area);
        }

        if (!string.IsNullOrWhiteSpace(query.Person))
        {
            var pattern = "%" + query.Person.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
            entries = entries.Where(e => EF.Functions.Like(e.ActorName, pattern, "\\") || EF.Functions.Like(e.Subject, pattern, "\\"));
        }

        if (query.From is { } from)
        {
            var fromUtc = clinic.ToUtc(from.ToDateTime(TimeOnly.MinValue));
            entries = entries.Where(e => e.AtUtc >= fromUtc);
        }

        if (query.To is { } to)
        {
            var toUtc = clinic.ToUtc(to.AddDays(1).ToDateTime(TimeOnly.MinValue));
            entries = entries.Where(e => e.AtUtc < toUtc);
        }

        return await entries.OrderByDescending(e => e.AtUtc).ThenByDescending(e => e.Id).Take(query.Take).ToListAsync(cancellationToken);
    }

    /// <summary>"Name: 'A' → 'B'" for each field that changed; empty when nothing did.</summary>
    public static string Describe(params (string Field, object? Before, object? After)[] fields) =>
        string.Join("; ", fields
            .Where(f => !Equals(f.Before, f.After))
            .Select(f => $"{f.Field}: '{f.Before}' → '{f.After}'"));

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
