using System.Security.Claims;
using ClinicBlazor.Data;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Identity;

/// <summary>Gives services the acting user, whether they run in a circuit or in a request.</summary>
public interface ICurrentUser
{
    Task<ClaimsPrincipal> GetPrincipalAsync();
}

internal sealed class CurrentUser(AuthenticationStateProvider authenticationStateProvider, IHttpContextAccessor httpContextAccessor) : ICurrentUser
{
    public async Task<ClaimsPrincipal> GetPrincipalAsync()
    {
        try
        {
            return (await authenticationStateProvider.GetAuthenticationStateAsync()).User;
        }
        catch (InvalidOperationException)
        {
            // Outside a Razor component (a minimal API endpoint, a background job) there is no
            // authentication state: the request's user is the actor, or nobody.
            return httpContextAccessor.HttpContext?.User ?? new ClaimsPrincipal(new ClaimsIdentity());
        }
    }
}

/// <summary>
/// The one place services ask "who is this, and may they?". Every service method that acts for a
/// person starts with <see cref="RequireAsync(Permission)"/>, so a forgotten check is visible in review.
/// </summary>
public sealed class ClinicAuthorization(ICurrentUser currentUser, IDbContextFactory<ClinicDbContext> dbFactory)
{
    public const string DisplayNameClaim = "clinic:display_name";

    /// <summary>
    /// The signed-in staff member, or null: also null once they are deactivated or while they must
    /// change their password, whatever their cookie or open page still says.
    /// </summary>
    public async Task<Actor?> GetActorAsync()
    {
        var actor = ToActor(await currentUser.GetPrincipalAsync());
        if (actor is null)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync();
        var allowed = await db.Users.AsNoTracking().AnyAsync(u => u.Id == actor.UserId && u.IsActive && !u.MustChangePassword);
        return allowed ? actor : null;
    }

    public async Task<Actor> RequireSignedInAsync()
    {
        return await GetActorAsync() ?? throw new ClinicAuthorizationException("Sign in first.");
    }

    public async Task<Actor> RequireAsync(Permission permission)
    {
        var actor = await RequireSignedInAsync();
        if (!Allows(actor, permission))
        {
            throw new ClinicAuthorizationException($"{actor.DisplayName} is not allowed to {Describe(permission)}.");
        }

        return actor;
    }

    public static bool Allows(Actor actor, Permission permission) => permission switch
    {
        Permission.UseCalendar => actor.IsStaff,
        Permission.ManageClinic or Permission.ManageSmsCredits or Permission.ViewOutbox => actor.IsAdmin,
        _ => false,
    };

    public static Actor? ToActor(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var userId = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        if (string.IsNullOrEmpty(userId))
        {
            return null;
        }

        var name = principal.FindFirstValue(DisplayNameClaim) ?? principal.Identity.Name ?? userId;
        var roles = principal.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        return new Actor(userId, name, roles);
    }

    private static string Describe(Permission permission) => permission switch
    {
        Permission.UseCalendar => "use the calendar",
        Permission.ManageClinic => "change clinic settings",
        Permission.ManageSmsCredits => "manage SMS credits",
        Permission.ViewOutbox => "see the Outbox",
        _ => permission.ToString(),
    };
}
