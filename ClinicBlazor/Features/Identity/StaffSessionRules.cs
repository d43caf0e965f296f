namespace ClinicBlazor.Features.Identity;

/// <summary>Why an open page lost its user: lets the page say "your account was deactivated" instead of a bare sign-in form.</summary>
public sealed class SessionEndReason
{
    public bool Deactivated { get; set; }
}

/// <summary>
/// "Must change password": until the temporary password is replaced, the user reaches only the
/// change-password page (and signing out); every other page redirects there, every other request is refused.
/// </summary>
public static class StaffSessionRules
{
    public const string MustChangePasswordClaim = "clinic:must_change_password";
    public const string ChangePasswordPath = "/Account/ChangePassword";

    public static IApplicationBuilder UseMustChangePassword(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.HasClaim(MustChangePasswordClaim, "true") && !IsAllowedBeforeChange(context.Request.Path))
        {
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            {
                context.Response.Redirect(ChangePasswordPath);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
            }

            return;
        }

        await next(context);
    });

    private static bool IsAllowedBeforeChange(PathString path) =>
        path.StartsWithSegments(ChangePasswordPath, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/Account/Logout", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/Account/Login", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/Account/Deactivated", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/healthz", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/_framework", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/_content", StringComparison.OrdinalIgnoreCase)
        // The page's own styles, fonts and scripts: static files are named with an extension.
        || (path.Value is { } value && Path.HasExtension(value) && !path.StartsWithSegments("/_blazor", StringComparison.OrdinalIgnoreCase));
}
