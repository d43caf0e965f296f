using ClinicBlazor.Data;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace ClinicBlazor.Features.Identity;

/// <summary>The <c>SignIn</c> section: sign-in attempts one client address may make per window (account lockout stays on top).</summary>
public sealed class SignInThrottleOptions
{
    public const string Section = "SignIn";

    public int PermitLimit { get; set; } = 10;

    public int WindowSeconds { get; set; } = 300;
}

public static class IdentityExtensions
{
    public const string SignInRateLimitPolicy = "sign-in";

    public static WebApplicationBuilder AddClinicIdentity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var throttle = builder.Configuration.GetSection(SignInThrottleOptions.Section).Get<SignInThrottleOptions>() ?? new();
        if (throttle.PermitLimit < 1 || throttle.WindowSeconds < 1)
        {
            throw new InvalidOperationException("SignIn:PermitLimit and SignIn:WindowSeconds must be at least 1.");
        }

        // Sign-in posts per client address (the connection's, or a configured proxy's X-Forwarded-For):
        // one address cannot try passwords across many accounts, nor lock them all out.
        services.AddRateLimiter(limiter => limiter.AddPolicy(SignInRateLimitPolicy, context =>
            HttpMethods.IsPost(context.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = throttle.PermitLimit, Window = TimeSpan.FromSeconds(throttle.WindowSeconds), QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter("reading")));

        services.AddSingleton<DatabaseTicketStore>();
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<DatabaseTicketStore>((cookie, store) => cookie.SessionStore = store);
        services.AddScoped<SessionEndReason>();
        services.AddSingleton(new RevalidationInterval(TimeSpan.FromMinutes(1)));
        services.AddCascadingAuthenticationState();
        services.AddHttpContextAccessor();
        services.AddScoped<AuthenticationStateProvider, RevalidatingStaffAuthenticationStateProvider>();
        services.AddScoped<ICurrentUser, CurrentUser>();
        services.AddScoped<ClinicAuthorization>();

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = "/Account/Login";
            cookie.LogoutPath = "/Account/Logout";
            cookie.AccessDeniedPath = "/Account/AccessDenied";
            cookie.Cookie.Name = "ClinicBlazor.Auth";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.SlidingExpiration = true;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(12);

            // The sign-in page decides where to go after signing in (local, well-formed paths only);
            // the cookie handler's own jump to ?ReturnUrl would put any text into a Location header.
            cookie.Events.OnRedirectToReturnUrl = _ => Task.CompletedTask;
        });

        services.AddIdentityCore<StaffUser>(options =>
            {
                options.SignIn.RequireConfirmedAccount = false;
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 10;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ClinicDbContext>()
            .AddSignInManager<ActiveStaffSignInManager>()
            .AddClaimsPrincipalFactory<StaffClaimsPrincipalFactory>()
            .AddDefaultTokenProviders();

        // Every page needs a signed-in user unless it says otherwise ([AllowAnonymous]).
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Roles.Admin, policy => policy.RequireRole(Roles.Admin));

        return builder;
    }

    public static IEndpointRouteBuilder MapClinicIdentity(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/Account/Logout", async (HttpContext context, SignInManager<StaffUser> signInManager, [FromForm] string? returnUrl) =>
        {
            await signInManager.SignOutAsync();
            await context.SignOutAsync(IdentityConstants.ExternalScheme);
            return TypedResults.LocalRedirect("~/Account/Login");
        }).AllowAnonymous();
        return endpoints;
    }
}
