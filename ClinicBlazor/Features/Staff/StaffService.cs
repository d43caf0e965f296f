using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Settings;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Staff;

/// <summary>
/// The Staff tab: add staff (with a temporary password), change roles, deactivate and reactivate.
/// Admins only, audited. Keeps the clinic with at least one active admin, and never strands a
/// practitioner's future appointments.
/// </summary>
public sealed class StaffService(
    IServiceScopeFactory scopeFactory,
    ClinicAuthorization authorization,
    AuditLog audit,
    TimeProvider clock)
{
    public const string NameRequired = "Enter the person's name.";
    public const string EmailInvalid = "Enter a valid sign-in email.";
    public const string EmailTaken = "Someone already signs in with this email.";
    public const string RoleRequired = "Choose at least one role.";
    public const string LastAdmin = "The clinic needs at least one active admin: make someone else an admin first.";
    public const string HasFutureAppointments = "{0} has {1} future appointment(s): move or cancel them first.";

    public async Task<IReadOnlyList<StaffMember>> ListAsync(CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ManageClinic);
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ClinicDbContext>();
        var users = await db.Users.AsNoTracking().OrderBy(u => u.DisplayName).ToListAsync(cancellationToken);
        var roles = await (from userRole in db.UserRoles
                           join role in db.Roles on userRole.RoleId equals role.Id
                           select new { userRole.UserId, role.Name }).ToListAsync(cancellationToken);
        var practitioners = await db.Set<Practitioner>().AsNoTracking().ToListAsync(cancellationToken);
        return users.Select(u =>
        {
            var practitioner = practitioners.FirstOrDefault(p => p.UserId == u.Id);
            return new StaffMember(
                u.Id,
                u.DisplayName,
                u.Email ?? "",
                roles.Where(r => r.UserId == u.Id).Select(r => r.Name!).ToHashSet(StringComparer.Ordinal),
                u.IsActive,
                u.MustChangePassword,
                practitioner?.Id,
                practitioner?.Title ?? "");
        }).ToList();
    }

    public async Task<Result<AddedStaffMember>> AddAsync(NewStaffMember member, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.ManageClinic);
        var name = member.DisplayName.Trim();
        var email = member.Email.Trim();
        if (name.Length == 0)
        {
            return Result.Fail(NameRequired, nameof(member.DisplayName));
        }

        if (!System.Net.Mail.MailAddress.TryCreate(email, out var address) || address.Address != email)
        {
            return Result.Fail(EmailInvalid, nameof(member.Email));
        }

        var roles = Roles.All.Where(member.Roles.Contains).ToList();
        if (roles.Count == 0)
        {
            return Result.Fail(RoleRequired, nameof(member.Roles));
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var db = scope.ServiceProvider.GetRequiredService<ClinicDbContext>();
        if (await users.FindByEmailAsync(email) is not null)
        {
            return Result.Fail(EmailTaken, nameof(member.Email));
        }

        var password = TemporaryPassword.Create();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = new StaffUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name, MustChangePassword = true };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            return Result.Fail(string.Join(" ", created.Errors.Select(e => e.Description)), nameof(member.Email));
        }

        StaffRecords.Succeeded(await users.AddToRolesAsync(user, roles));
        if (roles.Contains(Roles.Practitioner))
        {
            await StaffRecords.EnsurePractitionerAsync(db, user, member.Title.Trim(), cancellationToken);
        }

        audit.Record(db, actor, AuditAreas.Staff, name, $"Added {email} as {string.Join(", ", roles)}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Result<AddedStaffMember>.Ok(new AddedStaffMember(user.Id, email, password));
    }

    public async Task<Result> SetRolesAsync(string userId, IReadOnlySet<string> newRoles, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.ManageClinic);
        var roles = Roles.All.Where(newRoles.Contains).ToList();
        if (roles.Count == 0)
        {
            return Result.Fail(RoleRequired, nameof(newRoles));
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var db = scope.ServiceProvider.GetRequiredService<ClinicDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"No staff member {userId}.");
        var current = (await users.GetRolesAsync(user)).ToList();
        var removed = current.Except(roles).ToList();
        var added = roles.Except(current).ToList();
        if (removed.Count == 0 && added.Count == 0)
        {
            return Result.Ok();
        }

        if (removed.Contains(Roles.Admin) && user.IsActive && !await StaffRecords.AnotherActiveAdminAsync(db, userId, cancellationToken))
        {
            return Result.Fail(LastAdmin, nameof(newRoles));
        }

        var practitioner = await db.Set<Practitioner>().SingleOrDefaultAsync(p => p.UserId == userId, cancellationToken);
        if (removed.Contains(Roles.Practitioner) && practitioner is not null)
        {
            var blocking = await CountFutureAppointmentsAsync(db, practitioner.Id, cancellationToken);
            if (blocking > 0)
            {
                return Result.Fail(Format(HasFutureAppointments, user.DisplayName, blocking), nameof(newRoles));
            }

            practitioner.IsActive = false;
        }

        StaffRecords.Succeeded(await users.RemoveFromRolesAsync(user, removed));
        StaffRecords.Succeeded(await users.AddToRolesAsync(user, added));
        if (added.Contains(Roles.Practitioner) && user.IsActive)
        {
            await StaffRecords.EnsurePractitionerAsync(db, user, "", cancellationToken);
        }

        // A new security stamp signs the person's open pages out, so their new roles apply at once.
        StaffRecords.Succeeded(await users.UpdateSecurityStampAsync(user));
        audit.Record(db, actor, AuditAreas.Staff, user.DisplayName, $"Roles: '{string.Join(", ", Roles.All.Where(current.Contains))}' → '{string.Join(", ", roles)}'");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Result.Ok();
    }

    /// <summary>The future booked appointments that stop this person being deactivated.</summary>
    public async Task<IReadOnlyList<BlockingAppointment>> GetFutureAppointmentsAsync(string userId, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ManageClinic);
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ClinicDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        return await db.Set<Appointment>().AsNoTracking()
            .Where(a => a.Practitioner!.UserId == userId && a.Status == AppointmentStatus.Booked && a.StartUtc >= now)
            .OrderBy(a => a.StartUtc)
            .Select(a => new BlockingAppointment(a.Id, a.StartUtc, a.Patient!.FirstName + " " + a.Patient.LastName, a.AppointmentType!.Name))
            .ToListAsync(cancellationToken);
    }

    public async Task<Result> DeactivateAsync(string userId, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.ManageClinic);
        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var db = scope.ServiceProvider.GetRequiredService<ClinicDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"No staff member {userId}.");
        if (!user.IsActive)
        {
            return Result.Ok();
        }

        if (await users.IsInRoleAsync(user, Roles.Admin) && !await StaffRecords.AnotherActiveAdminAsync(db, userId, cancellationToken))
        {
            return Result.Fail(LastAdmin);
        }

        var practitioner = await db.Set<Practitioner>().SingleOrDefaultAsync(p => p.UserId == userId, cancellationToken);
        if (practitioner is not null)
        {
            var blocking = await CountFutureAppointmentsAsync(db, practitioner.Id, cancellationToken);
            if (blocking > 0)
            {
                return Result.Fail(Format(HasFutureAppointments, user.DisplayName, blocking));
            }

            practitioner.IsActive = false;
        }

        user.IsActive = false;
        StaffRecords.Succeeded(await users.UpdateAsync(user));
        await StaffSession.EndAllAsync(db, userId, cancellationToken);

        // The revalidating authentication state provider signs open circuits out within a minute.
        StaffRecords.Succeeded(await users.UpdateSecurityStampAsync(user));
        audit.Record(db, actor, AuditAreas.Staff, user.DisplayName, "Deactivated");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Result.Ok();
    }

    public async Task<Result> ReactivateAsync(string userId, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.ManageClinic);
        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var db = scope.ServiceProvider.GetRequiredService<ClinicDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"No staff member {userId}.");
        if (user.IsActive)
        {
            return Result.Ok();
        }

        user.IsActive = true;
        StaffRecords.Succeeded(await users.UpdateAsync(user));
        if (await users.IsInRoleAsync(user, Roles.Practitioner))
        {
            await StaffRecords.EnsurePractitionerAsync(db, user, "", cancellationToken);
        }

        audit.Record(db, actor, AuditAreas.Staff, user.DisplayName, "Reactivated");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Result.Ok();
    }

    /// <summary>A new temporary password, shown once; the person must change it at sign-in.</summary>
    public async Task<Result<AddedStaffMember>> ResetPasswordAsync(string userId, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.ManageClinic);
        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var db = scope.ServiceProvider.GetRequiredService<ClinicDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"No staff member {userId}.");
        var password = TemporaryPassword.Create();
        StaffRecords.Succeeded(await users.RemovePasswordAsync(user));
        StaffRecords.Succeeded(await users.AddPasswordAsync(user, password));
        user.MustChangePassword = true;
        StaffRecords.Succeeded(await users.UpdateAsync(user));
        audit.Record(db, actor, AuditAreas.Staff, user.DisplayName, "Temporary password issued");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Result<AddedStaffMember>.Ok(new AddedStaffMember(user.Id, user.Email ?? "", password));
    }

    private async Task<int> CountFutureAppointmentsAsync(ClinicDbContext db, int practitionerId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return await db.Set<Appointment>().CountAsync(a => a.PractitionerId == practitionerId && a.Status == AppointmentStatus.Booked && a.StartUtc >= now, cancellationToken);
    }

    private static string Format(string format, params object[] args) => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
}
