using System.Net;
using System.Text.RegularExpressions;
using ClinicBlazor.Features.OnlineBookings;
using ClinicBlazor.Tests.Features.Notifications;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ClinicBlazor.Tests.Features.Hosting;

public sealed partial class PublicAddressTests(MaildevServer maildev) : IClassFixture<MaildevServer>
{
    [Fact]
    public async Task Booking_confirmation_link_ignores_a_forged_Host_header()
    {
        // Tuesday 24 November 2026, 09:00 in Sydney: Thursday has free times.
        await maildev.ClearAsync();
        await using var app = new ClinicAppFactory { Clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 22, 0, 0, TimeSpan.Zero)) }
            .With("Notifications:Email:Smtp:Host", "127.0.0.1")
            .With("Notifications:Email:Smtp:Port", maildev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("Notifications:Email:Smtp:Security", "None");
        using var client = new SignInClient(app.ServerAddress);
        int type;
        await using (var scope = app.AnonymousScope())
        {
            type = (await scope.ServiceProvider.GetRequiredService<OnlineBookingService>().GetChoicesAsync()).Types[0].Id;
        }

        var page = await client.Http.GetStringAsync($"/book?type={type}&date=2026-11-26");
        var slot = SlotPattern().Match(page).Groups[1].Value;
        Assert.NotEmpty(slot);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/book?type={type}&date=2026-11-26")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "book",
                ["__RequestVerificationToken"] = SignInClient.AntiforgeryToken(page),
                ["Form.TypeId"] = type.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Form.Slot"] = slot,
                ["Form.FirstName"] = "Hana",
                ["Form.LastName"] = "Forged",
                ["Form.Email"] = "hana@patients.example",
                ["Form.Mobile"] = "0412 345 678",
            }),
        };
        request.Headers.Host = "evil.example";

        var confirmation = WebUtility.HtmlDecode(await (await client.Http.SendAsync(request)).Content.ReadAsStringAsync());

        var ownAddress = app.ServerAddress.ToString().TrimEnd('/');
        Assert.Contains("You're booked", confirmation, StringComparison.Ordinal);
        Assert.Contains($"{ownAddress}/booking/", confirmation, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", confirmation, StringComparison.Ordinal);

        // The confirmation email is queued with the booking and sent by the dispatcher: its link too
        // is made from App:PublicBaseUrl (in Development, the app's own address), never the request.
        await app.DispatchAsync();
        var email = Assert.Single(await maildev.WaitForEmailsAsync(1));
        Assert.Equal("hana@patients.example", email.ToAddress);
        Assert.Matches($"(?m)^{Regex.Escape(ownAddress)}/booking/[A-Za-z0-9_-]+\\s*$", email.Text ?? "");
        Assert.Contains($"href=\"{ownAddress}/booking/", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", email.Text + email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_public_host_is_served_except_for_the_health_probe()
    {
        await using var app = new ClinicAppFactory().With("App:PublicBaseUrl", "https://clinic.example");
        using var client = new SignInClient(app.ServerAddress);

        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(client, "/Account/Login", "evil.example")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(client, "/book", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/Account/Login", "clinic.example")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/healthz", null)).StatusCode);
    }

    private static async Task<HttpResponseMessage> GetAsync(SignInClient client, string path, string? host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        return await client.Http.SendAsync(request);
    }

    [GeneratedRegex("name=\"Form.Slot\" value=\"([0-9:]+)\"")]
    private static partial Regex SlotPattern();
}
