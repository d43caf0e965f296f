using System.Threading.RateLimiting;

namespace ClinicBlazor.Features.OnlineBookings;

/// <summary>Online-booking settings read at start-up.</summary>
public sealed class OnlineBookingOptions
{
    /// <summary>Requests one client address may make to the public pages per window.</summary>
    public int PermitLimit { get; set; } = 60;

    public int WindowSeconds { get; set; } = 60;
}

public static class OnlineBookingsExtensions
{
    public const string RateLimitPolicy = "public-pages";

    public static WebApplicationBuilder AddOnlineBookings(this WebApplicationBuilder builder)
    {
        var options = new OnlineBookingOptions();
        builder.Configuration.GetSection("OnlineBookings").Bind(options);
        if (options.PermitLimit < 1 || options.WindowSeconds < 1)
        {
            throw new InvalidOperationException("OnlineBookings:PermitLimit and OnlineBookings:WindowSeconds must be at least 1.");
        }

        builder.Services.AddScoped<OnlineSlots>();
        builder.Services.AddScoped<OnlineBookingService>();

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(RateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.PermitLimit,
                    Window = TimeSpan.FromSeconds(options.WindowSeconds),
                    QueueLimit = 0,
                }));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var response = rejected.HttpContext.Response;
                response.ContentType = "text/html; charset=utf-8";
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? (int)Math.Ceiling(wait.TotalSeconds) : options.WindowSeconds;
                response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await response.WriteAsync(
                    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Please wait a moment</title>"
                    + "<link rel=\"stylesheet\" href=\"/css/clinic.css\"></head><body><div class=\"public-shell\"><main class=\"public-card\">"
                    + "<h1 class=\"public-title\">Please wait a moment</h1>"
                    + "<p class=\"public-lead\">We've had a lot of requests from your connection. Wait a minute and try again.</p>"
                    + "</main></div></body></html>",
                    cancellationToken);
            };
        });
        return builder;
    }

    /// <summary>The public pages' rate limit (per client address, see UseClinicHosting) and privacy headers.</summary>
    public static WebApplication UseOnlineBookings(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (IsPublicBookingPath(context.Request.Path))
            {
                context.Response.OnStarting(() =>
                {
                    // The manage link carries a secret: never leak it in a Referer or a shared cache.
                    context.Response.Headers["Referrer-Policy"] = "no-referrer";
                    context.Response.Headers.CacheControl = "no-store";
                    return Task.CompletedTask;
                });
            }

            await next(context);
        });
        app.UseRateLimiter();
        return app;
    }

    private static bool IsPublicBookingPath(PathString path) =>
        path.StartsWithSegments("/book", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/booking", StringComparison.OrdinalIgnoreCase);
}
