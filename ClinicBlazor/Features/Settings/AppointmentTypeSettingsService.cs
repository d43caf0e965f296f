using System.Text.RegularExpressions;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Identity;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Settings;

/// <summary>An appointment type as the form edits it; a null <see cref="Id"/> adds a new one.</summary>
public sealed record AppointmentTypeDraft(int? Id, string Name, int DurationMinutes, string Color, bool BookableOnline);

/// <summary>What removing a type did: deleted when nothing used it, archived otherwise.</summary>
public enum RemovedAs
{
    Deleted,
    Archived,
}

/// <summary>The Appointment types tab: admins only, every change audited.</summary>
public sealed partial class AppointmentTypeSettingsService(
    IDbContextFactory<ClinicDbContext> dbFactory,
    ClinicAuthorization authorization,
    AuditLog audit)
{
    public const string NameRequired = "Enter the appointment type's name.";
    public const string NameTaken = "Another appointment type already has this name.";
    public const string DurationOutOfRange = "Duration must be between 5 and 480 minutes.";
    public const string InvalidColor = "Choose a colour like #1e88e5.";

    public async Task<IReadOnlyList<AppointmentType>> ListAsync(CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ManageClinic);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<AppointmentType>().AsNoTracking().OrderBy(t => t.IsArchived).ThenBy(t => t.Name).ToListAsync(cancellationToken);
    }

    public async Task<Result<AppointmentType>> SaveAsync(AppointmentTypeDraft draft, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.ManageClinic);
        var name = draft.Name.Trim();
        if (name.Length == 0)
        {
            return Result.Fail(NameRequired, nameof(draft.Name));
        }

        if (draft.DurationMinutes is < 5 or > 480)
        {
            return Result.Fail(DurationOutOfRange, nameof(draft.DurationMinutes));
        }

        if (!ColorPattern().IsMatch(draft.Color))
        {
            return Result.Fail(InvalidColor, nameof(draft.Color));
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Set<AppointmentType>().AnyAsync(t => t.Id != draft.Id && !t.IsArchived && EF.Functions.Collate(t.Name, "NOCASE") == name, cancellationToken))
        {
            return Result.Fail(NameTaken, nameof(draft.Name));
        }

        AppointmentType type;
        if (draft.Id is { } id)
        {
            type = await db.Set<AppointmentType>().SingleOrDefaultAsync(t => t.Id == id, cancellationToken)
                   ?? throw new InvalidOperationException($"No appointment type {id}.");
            var change = AuditLog.Describe(
                ("Name", type.Name, name),
                ("Duration (minutes)", type.DurationMinutes, draft.DurationMinutes),
                ("Colour", type.Color, draft.Color),
                ("Bookable online", type.BookableOnline, draft.BookableOnline));
            if (change.Length > 0)
            {
                audit.Record(db, actor, AuditAreas.AppointmentTypes, name, change);
            }
        }
        else
        {
            type = new AppointmentType();
            db.Add(type);
            audit.Record(db, actor, AuditAreas.AppointmentTypes, name, $"Added: {draft.DurationMinutes} minutes, {draft.Color}, {(draft.BookableOnline ? "bookable online" : "not bookable online")}");
        }

        type.Name = name;
        type.DurationMinutes = draft.DurationMinutes;
        type.Color = draft.Color.ToLowerInvariant();
        type.BookableOnline = draft.BookableOnline;
        await db.SaveChangesAsync(cancellationToken);
        return Result<AppointmentType>.Ok(type);
    }

    /// <summary>Deletes a type no appointment uses; archives one in use, so past appointments keep it.</summary>
    public async Task<RemovedAs> RemoveAsync(int id, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.ManageClinic);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var type = await db.Set<AppointmentType>().SingleOrDefaultAsync(t => t.Id == id, cancellationToken)
                   ?? throw new InvalidOperationException($"No appointment type {id}.");
        var used = await db.Set<Appointment>().AnyAsync(a => a.AppointmentTypeId == id, cancellationToken);
        if (used)
        {
            type.IsArchived = true;
            audit.Record(db, actor, AuditAreas.AppointmentTypes, type.Name, "Archived (appointments use it)");
        }
        else
        {
            db.Remove(type);
            audit.Record(db, actor, AuditAreas.AppointmentTypes, type.Name, "Deleted");
        }

        await db.SaveChangesAsync(cancellationToken);
        return used ? RemovedAs.Archived : RemovedAs.Deleted;
    }

    public async Task<Result> RestoreAsync(int id, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.ManageClinic);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var type = await db.Set<AppointmentType>().SingleOrDefaultAsync(t => t.Id == id, cancellationToken)
                   ?? throw new InvalidOperationException($"No appointment type {id}.");
        if (await db.Set<AppointmentType>().AnyAsync(t => t.Id != id && !t.IsArchived && EF.Functions.Collate(t.Name, "NOCASE") == type.Name, cancellationToken))
        {
            return Result.Fail(NameTaken);
        }

        type.IsArchived = false;
        audit.Record(db, actor, AuditAreas.AppointmentTypes, type.Name, "Restored from the archive");
        await db.SaveChangesAsync(cancellationToken);
        return Result.Ok();
    }

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex ColorPattern();
}
