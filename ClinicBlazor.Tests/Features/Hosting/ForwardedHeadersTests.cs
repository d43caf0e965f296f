using System.Net;
using ClinicBlazor.Tests.Infrastructure;

namespace ClinicBlazor.Tests.Features.Hosting;

public sealed class ForwardedHeadersTests
{
    [Fact]
    public async Task With_no_proxy_configured_rotating_X_Forwarded_For_still_hits_the_limit()
    {
        await using var app = new ClinicAppFactory().With("OnlineBookings:PermitLimit", "5");
        using var client = new SignInClient(app.ServerAddress);

        var statuses = new List<HttpStatusCode>();
        for (var i = 1; i <= 6; i++)
        {
            statuses.Add((await GetBookAsync(client, $"203.0.113.{i}", "https")).StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 5), HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task A_proxy_in_a_known_network_has_its_client_addresses_believed()
    {
        await using var app = new ClinicAppFactory()
            .With("OnlineBookings:PermitLimit", "2")
            .With("ForwardedHeaders:KnownIPNetworks:0", "127.0.0.0/8");
        using var client = new SignInClient(app.ServerAddress);

        for (var i = 1; i <= 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await GetBookAsync(client, $"198.51.100.{i}", "https")).StatusCode);
        }

        await GetBookAsync(client, "198.51.100.9", "https");
        await GetBookAsync(client, "198.51.100.9", "https");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await GetBookAsync(client, "198.51.100.9", "https")).StatusCode);
    }

    private static async Task<HttpResponseMessage> GetBookAsync(SignInClient client, string forwardedFor, string forwardedProto)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/book");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        return await client.Http.SendAsync(request);
    }
}
