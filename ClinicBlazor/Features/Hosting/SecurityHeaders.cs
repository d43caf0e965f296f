using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace ClinicBlazor.Features.Hosting;

/// <summary>
/// The headers every response carries: one Content-Security-Policy, nosniff, Referrer-Policy and
/// Permissions-Policy.
/// </summary>
/// <remarks>
/// Scripts: only the app's own files, plus the inline import map by a per-request nonce; Blazor
/// Server needs no eval. Styles allow inline because MudBlazor writes its theme and popover
/// positions at run time. frame-ancestors comes from Blazor's ContentSecurityFrameAncestorsPolicy
/// on component pages and is merged here into one header, and added here to every other response.
/// </remarks>
public static class SecurityHeaders
{
    /// <summary>Nobody may frame the app (clickjacking); also Blazor's ContentSecurityFrameAncestorsPolicy.</summary>
    public const string FrameAncestors = "'none'";

    public const string PermissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

    private const string NonceKey = "clinic:csp-nonce";

    /// <summary>The nonce this request's inline import map carries.</summary>
    public static string CspNonce(this HttpContext context)
    {
        if (context.Items[NonceKey] is not string nonce)
        {
            nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            context.Items[NonceKey] = nonce;
        }

        return nonce;
    }

    public static string Policy(string nonce) =>
        "default-src 'self'; "
        + $"script-src 'self' 'nonce-{nonce}'; "
        + "style-src 'self' 'unsafe-inline'; "
        + "img-src 'self' data:; "
        + "font-src 'self' data:; "
        + "connect-src 'self'; "
        + "object-src 'none'; "
        + "base-uri 'self'; "
        + "form-action 'self'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            var policy = Policy(context.CspNonce());

            // Component pages already carry Blazor's "frame-ancestors 'none'": fold it into the one policy.
            var frameAncestors = headers.ContentSecurityPolicy.Count > 0
                ? string.Join("; ", headers.ContentSecurityPolicy.Select(value => value?.Trim().TrimEnd(';')))
                : $"frame-ancestors {FrameAncestors}";
            headers.ContentSecurityPolicy = $"{policy}; {frameAncestors}";
            headers.XContentTypeOptions = "nosniff";
            headers[HeaderNames.XFrameOptions] = "DENY";
            if (!headers.ContainsKey("Referrer-Policy"))
            {
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            }

            headers["Permissions-Policy"] = PermissionsPolicy;
            return Task.CompletedTask;
        });
        await next(context);
    });
}
