using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Identity;

/// <summary>
/// Sign-in that refuses deactivated staff, whatever their password, and that does the same work
/// for an unknown email as for a known one (the password hasher runs either way), so neither the
/// answer nor its time tells an attacker which emails have accounts.
/// </summary>
internal sealed class ActiveStaffSignInManager(
    UserManager<StaffUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<StaffUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<StaffUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<StaffUser> confirmation)
    : SignInManager<StaffUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    private static readonly StaffUser Nobody = new() { Id = "nobody", UserName = "nobody" };
    private static string? nobodysHash;

    public override async Task<bool> CanSignInAsync(StaffUser user)
    {
        return user.IsActive && await base.CanSignInAsync(user);
    }

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName);
        if (user is null)
        {
            nobodysHash ??= UserManager.PasswordHasher.HashPassword(Nobody, Guid.NewGuid().ToString());
            UserManager.PasswordHasher.VerifyHashedPassword(Nobody, nobodysHash, password);
            return SignInResult.Failed;
        }

        if (!user.IsActive)
        {
            // "Deactivated" only for the right password: otherwise the same answer as any wrong one.
            var verified = user.PasswordHash is not null
                && UserManager.PasswordHasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;
            return verified ? SignInResult.NotAllowed : SignInResult.Failed;
        }

        return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
    }
}
