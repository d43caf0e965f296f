using System.Net;
using ClinicBlazor.Tests.Infrastructure;

namespace ClinicBlazor.Tests.Features.OnlineBookings;

public sealed class RateLimitTests
{
    [Fact]
    public async Task One_address_over_its_limit_gets_429_while_another_is_still_served_behind_a_trusted_proxy()
    {
        await using var app = new ClinicAppFactory()
            .With("OnlineBookings:PermitLimit", "5")
            .With("ForwardedHeaders:KnownProxies:0", "127.0.0.1");
        using var client = new SignInClient(app.ServerAddress);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await GetAsFromAsync(client, "203.0.113.7")).StatusCode);
        }

        var limited = await GetAsFromAsync(client, "203.0.113.7");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("Please wait a moment", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await GetAsFromAsync(client, "203.0.113.8")).StatusCode);
    }

    [Fact]
    public async Task Forwarded_headers_from_an_untrusted_source_are_ignored()
    {
        // Only 10.20.30.40 is trusted (named in configuration, never contacted): the test's own
        // 127.0.0.1 is not, so its X-Forwarded-For cannot give it fresh addresses.
        await using var app = new ClinicAppFactory()
            .With("OnlineBookings:PermitLimit", "5")
            .With("ForwardedHeaders:KnownProxies:0", "10.20.30.40");
        using var client = new SignInClient(app.ServerAddress);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await GetAsFromAsync(client, $"198.51.100.{i + 1}")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await GetAsFromAsync(client, "198.51.100.99")).StatusCode);
    }

    [Fact]
    public async Task Staff_pages_are_not_rate_limited_by_the_public_policy()
    {
        await using var app = new ClinicAppFactory().With("OnlineBookings:PermitLimit", "2");
        using var client = new SignInClient(app.ServerAddress);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/Account/Login")).StatusCode);
        }
    }

    private static async Task<HttpResponseMessage> GetAsFromAsync(SignInClient client, string address)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/book");
        request.Headers.Add("X-Forwarded-For", address);
        return await client.Http.SendAsync(request);
    }
}
