using System.Net;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Hosting;

/// <summary>The <c>App</c> configuration section: where patients and staff reach the clinic.</summary>
public sealed class AppOptions
{
    public const string Section = "App";

    /// <summary>
    /// The address people open ("https://clinic.example"). Every link in an email starts with it,
    /// and requests for any other host are refused (except /healthz). Required outside Development.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    public Uri? PublicUri => Uri.TryCreate(PublicBaseUrl?.Trim(), UriKind.Absolute, out var uri) ? uri : null;
}

/// <summary>
/// One sentence per wrong or retired setting, checked before the database is touched. Settings
/// that moved are refused by name, so an upgrade cannot silently run on a default.
/// </summary>
internal sealed class AppOptionsValidator(IConfiguration configuration, IHostEnvironment environment) : IValidateOptions<AppOptions>
{
    public ValidateOptionsResult Validate(string? name, AppOptions options)
    {
        var errors = new List<string>();
        if (configuration["Notifications:PublicBaseUrl"] is not null)
        {
            errors.Add("Notifications:PublicBaseUrl is no longer read: rename it to App:PublicBaseUrl.");
        }

        if (configuration.GetSection("OnlineBookings:TrustedProxies").Exists())
        {
            errors.Add("OnlineBookings:TrustedProxies is no longer read: list your reverse proxies in ForwardedHeaders:KnownProxies (IP addresses) or ForwardedHeaders:KnownIPNetworks (ranges such as 10.0.0.0/8).");
        }

        if (string.IsNullOrWhiteSpace(options.PublicBaseUrl))
        {
            if (!environment.IsDevelopment())
            {
                errors.Add("App:PublicBaseUrl must be set outside Development: the address patients and staff open, such as https://clinic.example (links in emails start with it).");
            }
        }
        else if (options.PublicUri is not { Scheme: "https" or "http" } uri || !string.IsNullOrEmpty(uri.Query) || uri.AbsolutePath != "/")
        {
            errors.Add($"App:PublicBaseUrl must be an address such as https://clinic.example, with no path or query (it is \"{options.PublicBaseUrl}\").");
        }
        else if (uri.Scheme == "http" && !environment.IsDevelopment() && !IsLoopback(uri))
        {
            errors.Add($"App:PublicBaseUrl must start with https:// outside Development (it is \"{options.PublicBaseUrl}\"): sign-in over plain HTTP exposes passwords.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
