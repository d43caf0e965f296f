using System.Net;
using ClinicBlazor.Tests.Infrastructure;

namespace ClinicBlazor.Tests.Features.Hosting;

public sealed class HttpsRedirectionTests
{
    [Fact]
    public async Task Outside_Development_plain_HTTP_goes_to_the_public_https_address_but_the_health_probe_does_not()
    {
        await using var app = new ClinicAppFactory { EnvironmentName = "Production" }.With("App:PublicBaseUrl", "https://127.0.0.1:8443");
        using var client = new SignInClient(app.ServerAddress);

        var signIn = await client.Http.GetAsync("/Account/Login");
        var health = await client.Http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, signIn.StatusCode);
        Assert.Equal("https://127.0.0.1:8443/Account/Login", signIn.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Behind_a_known_proxy_that_terminated_TLS_the_request_counts_as_HTTPS()
    {
        await using var app = new ClinicAppFactory { EnvironmentName = "Production" }
            .With("App:PublicBaseUrl", "https://127.0.0.1:8443")
            .With("ForwardedHeaders:KnownProxies:0", "127.0.0.1");
        using var client = new SignInClient(app.ServerAddress);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/Account/Login");
        request.Headers.Add("X-Forwarded-Proto", "https");

        var response = await client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
