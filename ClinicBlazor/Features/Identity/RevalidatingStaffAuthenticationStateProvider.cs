using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Identity;

/// <summary>
/// Re-checks a connected circuit's user every minute: a deactivated staff member, or one whose
/// roles or password changed (new security stamp), is signed out of open pages.
/// </summary>
internal sealed class RevalidatingStaffAuthenticationStateProvider(
    ILoggerFactory loggerFactory,
    IServiceScopeFactory scopeFactory,
    IOptions<IdentityOptions> options,
    SessionEndReason endReason,
    RevalidationInterval interval)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => interval.Value;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        try
        {
            return await IsStillValidAsync(authenticationState);
        }
        catch (ObjectDisposedException)
        {
            // The app is shutting down under an open circuit; the circuit goes with it.
            return true;
        }
    }

    private async Task<bool> IsStillValidAsync(AuthenticationState authenticationState)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var userManager = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var principal = authenticationState.User;
        var user = await userManager.GetUserAsync(principal);
        if (user is null || !user.IsActive)
        {
            // The page the user is looking at ends on "your account was deactivated".
            endReason.Deactivated = user is not null;
            return false;
        }

        var principalStamp = principal.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
        return principalStamp == await userManager.GetSecurityStampAsync(user);
    }
}

/// <summary>How often open pages re-check their user (a minute; tests shorten it).</summary>
public sealed record RevalidationInterval(TimeSpan Value);
