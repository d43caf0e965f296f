using System.Net;
using ClinicBlazor.Features.Calendar;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Identity;

/// <summary>Sessions live on the server: sign-out, deactivation and "must change password" end or confine them.</summary>
public sealed class SessionTests(ClinicAppFactory app) : IClassFixture<ClinicAppFactory>
{
    [Fact]
    public async Task A_copied_cookie_is_refused_after_sign_out_while_the_users_other_device_stays_signed_in()
    {
        var person = DemoSignIns.Receptionist;
        using var device = await SignedInAsync(person.Email, person.Password);
        using var otherDevice = await SignedInAsync(person.Email, person.Password);
        using var copy = CopyOf(device);
        Assert.Equal(HttpStatusCode.OK, (await copy.Http.GetAsync("/calendar")).StatusCode);

        var form = await device.Http.GetStringAsync("/Account/Login");
        var signOut = await device.Http.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = SignInClient.AntiforgeryToken(form),
        }));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        Assert.Equal("/Account/Login", PathOf(await copy.Http.GetAsync("/calendar")));
        Assert.Equal("/Account/Login", PathOf(await copy.Http.GetAsync("/my-info")));
        Assert.Equal(HttpStatusCode.OK, (await otherDevice.Http.GetAsync("/calendar")).StatusCode);
    }

    [Fact]
    public async Task Deactivation_deletes_every_session_and_the_services_refuse_the_user()
    {
        var person = DemoSignIns.SecondReceptionist;
        using var device = await SignedInAsync(person.Email, person.Password);
        using var copy = CopyOf(device);
        var userId = await UserIdAsync(person.Email);
        Assert.Equal(1, await SessionCountAsync(userId));
        await using var asTheUser = await app.ScopeForAsync(person.Email);

        await using (var asAdmin = await app.ScopeForAsync(DemoSignIns.Admin.Email))
        {
            var deactivated = await asAdmin.ServiceProvider.GetRequiredService<StaffService>().DeactivateAsync(userId);
            Assert.True(deactivated.Succeeded, deactivated.Error);
        }

        Assert.Equal(0, await SessionCountAsync(userId));
        Assert.Equal("/Account/Login", PathOf(await device.Http.GetAsync("/calendar")));
        Assert.Equal("/Account/Login", PathOf(await copy.Http.GetAsync("/patients")));
        await Assert.ThrowsAsync<ClinicAuthorizationException>(() =>
            asTheUser.ServiceProvider.GetRequiredService<CalendarService>().GetSetupAsync());
    }

    [Fact]
    public async Task Must_change_password_reaches_only_the_change_password_page()
    {
        var person = DemoSignIns.SecondPractitioner;
        await using (var scope = app.AnonymousScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = await users.FindByEmailAsync(person.Email);
            user!.MustChangePassword = true;
            Assert.True((await users.UpdateAsync(user)).Succeeded);
        }

        using var client = new SignInClient(app.ServerAddress);
        var signIn = await client.SignInAsync(person.Email, person.Password);
        Assert.Equal(StaffSessionRules.ChangePasswordPath, PathOf(signIn));

        foreach (var page in new[] { "/", "/calendar", "/patients", "/my-info", "/settings" })
        {
            Assert.Equal(StaffSessionRules.ChangePasswordPath, PathOf(await client.Http.GetAsync(page)));
        }

        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync(StaffSessionRules.ChangePasswordPath)).StatusCode);
        await using var asTheUser = await app.ScopeForAsync(person.Email);
        await Assert.ThrowsAsync<ClinicAuthorizationException>(() =>
            asTheUser.ServiceProvider.GetRequiredService<CalendarService>().GetSetupAsync());
    }

    [Fact]
    public async Task A_malformed_return_address_signs_in_and_goes_to_the_calendar()
    {
        var person = DemoSignIns.Practitioner;
        using var client = new SignInClient(app.ServerAddress);
        const string login = "/Account/Login?ReturnUrl=%2F%E3%80%82evil";
        var form = await client.Http.GetStringAsync(login);

        var response = await client.Http.PostAsync(login, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in",
            ["__RequestVerificationToken"] = SignInClient.AntiforgeryToken(form),
            ["Input.Email"] = person.Email,
            ["Input.Password"] = person.Password,
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", PathOf(response));
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/calendar")).StatusCode);
    }

    private async Task<SignInClient> SignedInAsync(string email, string password)
    {
        var client = new SignInClient(app.ServerAddress);
        var response = await client.SignInAsync(email, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private SignInClient CopyOf(SignInClient device)
    {
        var copy = new SignInClient(app.ServerAddress);
        foreach (Cookie cookie in device.Handler.CookieContainer.GetAllCookies())
        {
            copy.Handler.CookieContainer.Add(new Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain));
        }

        return copy;
    }

    private async Task<string> UserIdAsync(string email)
    {
        await using var scope = app.AnonymousScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email))!.Id;
    }

    private async Task<int> SessionCountAsync(string userId)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<StaffSession>().CountAsync(s => s.UserId == userId);
    }

    private static string? PathOf(HttpResponseMessage response) =>
        response.Headers.Location is { } location
            ? (location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString.Split('?')[0])
            : null;
}
