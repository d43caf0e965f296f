using ClinicBlazor.Data;
using ClinicBlazor.Features.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Staff;

/// <summary>What <see cref="StaffService"/> reads and writes inside its transactions: the admin check and the practitioner row.</summary>
internal static class StaffRecords
{
    public static async Task<bool> AnotherActiveAdminAsync(ClinicDbContext db, string userId, CancellationToken cancellationToken) =>
        await (from userRole in db.UserRoles
               join role in db.Roles on userRole.RoleId equals role.Id
               join user in db.Users on userRole.UserId equals user.Id
               where role.Name == Roles.Admin && user.IsActive && user.Id != userId
               select user.Id).AnyAsync(cancellationToken);

    public static async Task EnsurePractitionerAsync(ClinicDbContext db, StaffUser user, string title, CancellationToken cancellationToken)
    {
        var practitioner = await db.Set<Practitioner>().SingleOrDefaultAsync(p => p.UserId == user.Id, cancellationToken);
        if (practitioner is not null)
        {
            practitioner.IsActive = true;
            return;
        }

        var sortOrder = await db.Set<Practitioner>().Select(p => (int?)p.SortOrder).MaxAsync(cancellationToken) ?? -1;
        db.Add(new Practitioner
        {
            UserId = user.Id,
            DisplayName = user.DisplayName,
            Title = title,
            NotificationEmail = user.Email ?? "",
            SortOrder = sortOrder + 1,
        });
    }

    public static void Succeeded(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
