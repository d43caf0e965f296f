using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Hosting;

public static class HostingExtensions
{
    /// <summary>The public address, trusted proxies and the start-up checks of both.</summary>
    public static WebApplicationBuilder AddClinicHosting(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AppOptions>().BindConfiguration(AppOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AppOptions>, AppOptionsValidator>();
        services.AddSingleton<PublicAddress>();

        services.AddOptions<ForwardedHeadersSettings>().BindConfiguration(ForwardedHeadersSettings.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ForwardedHeadersSettings>, ForwardedHeadersSettingsValidator>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ForwardedHeadersSettings>>((forwarded, settings) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var address in settings.Value.ProxyAddresses)
            {
                forwarded.KnownProxies.Add(address);
            }

            foreach (var network in settings.Value.ProxyNetworks)
            {
                forwarded.KnownIPNetworks.Add(network);
            }
        });

        services.AddOptions<HttpsRedirectionOptions>().Configure<IOptions<AppOptions>>((redirection, app) =>
        {
            if (app.Value.PublicUri is { Scheme: "https" } uri)
            {
                redirection.HttpsPort = uri.Port;
            }
        });

        // A failed database command is reported by whoever ran it (the page's error message, the
        // start-up sentence); EF's own error log would repeat it with a stack trace.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", level => level < LogLevel.Error && level >= LogLevel.Warning);
        return builder;
    }

    /// <summary>
    /// First in the pipeline: the client's address (only through configured proxies), the public
    /// host, HTTPS, and the security headers. /healthz is exempt from the host and HTTPS rules,
    /// because a load balancer probes each node by its own address.
    /// </summary>
    public static WebApplication UseClinicHosting(this WebApplication app)
    {
        // With no proxy configured, forwarded headers are not read at all: ASP.NET Core's
        // middleware would believe every sender when both of its lists are empty.
        if (app.Services.GetRequiredService<IOptions<ForwardedHeadersSettings>>().Value.Any)
        {
            app.UseForwardedHeaders();
        }

        var publicUri = app.Services.GetRequiredService<IOptions<AppOptions>>().Value.PublicUri;
        if (publicUri is not null)
        {
            app.Use(async (context, next) =>
            {
                if (!IsHealthProbe(context) && !string.Equals(context.Request.Host.Host, publicUri.Host, StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    return;
                }

                await next(context);
            });
        }

        if (!app.Environment.IsDevelopment() && publicUri is { Scheme: "https" })
        {
            app.UseWhen(context => !IsHealthProbe(context), branch => branch.UseHttpsRedirection());
        }

        app.UseSecurityHeaders();
        return app;
    }

    private static bool IsHealthProbe(HttpContext context) => context.Request.Path.StartsWithSegments("/healthz", StringComparison.OrdinalIgnoreCase);
}
