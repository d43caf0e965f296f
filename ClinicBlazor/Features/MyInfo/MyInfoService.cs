using ClinicBlazor.Data;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.MyInfo;

/// <summary>What My Info shows and edits for one member of staff.</summary>
public sealed record MyInfoDetails(
    string UserId,
    string DisplayName,
    string SignInEmail,
    int? PractitionerId,
    string NotificationEmail,
    string MobileE164,
    NotificationMethod NotificationMethod,
    int? NotifyWithinDays);

/// <summary>
/// My Info: everyone edits their own; an admin may edit anyone's (and that is recorded). The rule
/// is enforced here, not by hiding buttons.
/// </summary>
public sealed class MyInfoService(IDbContextFactory<ClinicDbContext> dbFactory, ClinicAuthorization authorization)
{
    /// <summary>Loads a person's My Info for editing; refuses anyone but that person or an admin.</summary>
    public async Task<MyInfoDetails> GetForEditingAsync(string userId, CancellationToken cancellationToken = default)
    {
        await RequireMayEditAsync(userId);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken)
                   ?? throw new InvalidOperationException($"No staff member {userId}.");
        var practitioner = await db.Set<Practitioner>().AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, cancellationToken);
        return new MyInfoDetails(
            user.Id,
            user.DisplayName,
            user.Email ?? "",
            practitioner?.Id,
            practitioner?.NotificationEmail ?? user.Email ?? "",
            practitioner?.MobileE164 ?? "",
            practitioner?.NotificationMethod ?? NotificationMethod.Off,
            practitioner?.NotifyWithinDays);
    }

    /// <summary>The practitioner profile id for editing, after the same check (for services keyed by practitioner).</summary>
    public async Task<Actor> RequireMayEditAsync(string userId)
    {
        var actor = await authorization.RequireSignedInAsync();
        if (actor.UserId != userId && !actor.IsAdmin)
        {
            throw new ClinicAuthorizationException($"{actor.DisplayName} may only change their own My Info.");
        }

        return actor;
    }
}

public static class MyInfoExtensions
{
    public static WebApplicationBuilder AddMyInfo(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<MyInfoService>();
        return builder;
    }
}
