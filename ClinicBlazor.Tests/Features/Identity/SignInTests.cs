using System.Net;
using ClinicBlazor.Features.DemoClinic;
using ClinicBlazor.Tests.Infrastructure;

namespace ClinicBlazor.Tests.Features.Identity;

public sealed class SignInTests(ClinicAppFactory app) : IClassFixture<ClinicAppFactory>
{
    public static TheoryData<string, string> DemoSignIns() => new()
    {
        { "owner@harbourside.example", DemoClinicSeeder.AdminPassword },
        { "sam@harbourside.example", DemoClinicSeeder.ReceptionPassword },
        { "priya@harbourside.example", DemoClinicSeeder.PractitionerPassword },
    };

    [Theory]
    [MemberData(nameof(DemoSignIns))]
    public async Task Each_demo_role_can_sign_in_and_reach_the_calendar(string email, string password)
    {
        using var client = new SignInClient(app.ServerAddress);

        var response = await client.SignInAsync(email, password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", PathOf(response));
        var calendar = await client.Http.GetAsync("/calendar");
        Assert.Equal(HttpStatusCode.OK, calendar.StatusCode);
        Assert.Contains("Harbourside Physio &amp; Health", await calendar.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_password_is_refused_with_a_message()
    {
        using var client = new SignInClient(app.ServerAddress);

        var response = await client.SignInAsync("alex@harbourside.example", "not-the-password");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("That email and password don&#x27;t match", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account()
    {
        using var client = new SignInClient(app.ServerAddress);
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var wrong = await client.SignInAsync("grace@harbourside.example", "wrong-password-" + attempt);
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        var fifth = await client.SignInAsync("grace@harbourside.example", "wrong-password-5");
        Assert.Equal("/Account/Lockout", PathOf(fifth));

        // Locked: even the right password is refused now.
        var right = await client.SignInAsync("grace@harbourside.example", DemoClinicSeeder.PractitionerPassword);
        Assert.Equal("/Account/Lockout", PathOf(right));
    }

    [Fact]
    public async Task Anonymous_request_to_the_calendar_redirects_to_sign_in()
    {
        using var client = new SignInClient(app.ServerAddress);

        var response = await client.Http.GetAsync("/calendar");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Login", PathOf(response));
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/Account/Login")]
    [InlineData("/css/clinic.css")]
    public async Task Sign_in_health_and_static_assets_need_no_sign_in(string path)
    {
        using var client = new SignInClient(app.ServerAddress);

        var response = await client.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Receptionist_is_refused_admin_pages()
    {
        using var client = new SignInClient(app.ServerAddress);
        await client.SignInAsync("sam@harbourside.example", DemoClinicSeeder.ReceptionPassword);

        var response = await client.Http.GetAsync("/sms-credits");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/AccessDenied", PathOf(response));
    }

    private static string? PathOf(HttpResponseMessage response) =>
        response.Headers.Location is { } location
            ? (location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString.Split('?')[0])
            : null;
}
