using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Hosting;

/// <summary>
/// The address every link in an email starts with: App:PublicBaseUrl, or in Development the app's
/// own listening address. Never the request's Host header, which any client can forge.
/// </summary>
public sealed class PublicAddress(IOptions<AppOptions> options, IServer server)
{
    /// <summary>"https://clinic.example", without a trailing slash.</summary>
    public string BaseUrl
    {
        get
        {
            if (options.Value.PublicUri is { } configured)
            {
                return configured.GetLeftPart(UriPartial.Authority);
            }

            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            return string.IsNullOrEmpty(address)
                ? "http://localhost:5000"
                : address.Replace("://[::]", "://localhost", StringComparison.Ordinal).Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal).TrimEnd('/');
        }
    }
}
