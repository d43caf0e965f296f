using System.Net;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Hosting;

/// <summary>
/// The <c>ForwardedHeaders</c> section: the reverse proxies whose X-Forwarded-For and
/// X-Forwarded-Proto are believed. With none listed, the connection's own address is the client's.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Proxies by IP address ("10.0.0.5").</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Proxies by range ("10.0.0.0/8").</summary>
    public List<string> KnownIPNetworks { get; set; } = [];

    public bool Any => KnownProxies.Count > 0 || KnownIPNetworks.Count > 0;

    public IEnumerable<IPAddress> ProxyAddresses => KnownProxies.Select(p => IPAddress.TryParse(p.Trim(), out var address) ? address : null).OfType<IPAddress>();

    public IEnumerable<IPNetwork> ProxyNetworks => KnownIPNetworks.Select(n => IPNetwork.TryParse(n.Trim(), out var network) ? (IPNetwork?)network : null).OfType<IPNetwork>();
}

internal sealed class ForwardedHeadersSettingsValidator : IValidateOptions<ForwardedHeadersSettings>
{
    public ValidateOptionsResult Validate(string? name, ForwardedHeadersSettings options)
    {
        var errors = new List<string>();
        foreach (var proxy in options.KnownProxies.Where(p => !IPAddress.TryParse(p.Trim(), out _)))
        {
            errors.Add($"ForwardedHeaders:KnownProxies has \"{proxy}\", which is not an IP address (use ForwardedHeaders:KnownIPNetworks for a range).");
        }

        foreach (var network in options.KnownIPNetworks.Where(n => !IPNetwork.TryParse(n.Trim(), out _)))
        {
            errors.Add($"ForwardedHeaders:KnownIPNetworks has \"{network}\", which is not a range such as 10.0.0.0/8.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
