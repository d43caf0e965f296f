using System.Net;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Identity;

public sealed class SignInThrottleTests
{
    [Fact]
    public async Task Sign_in_attempts_are_limited_per_client_address_across_accounts()
    {
        await using var app = new ClinicAppFactory().With("SignIn:PermitLimit", "3");
        using var client = new SignInClient(app.ServerAddress);

        var statuses = new List<HttpStatusCode>();
        foreach (var email in new[] { "a@harbourside.example", "b@harbourside.example", DemoSignIns.Receptionist.Email, DemoSignIns.Admin.Email })
        {
            statuses.Add((await client.SignInAsync(email, "guessing-1234")).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/Account/Login")).StatusCode);
    }

    [Fact]
    public async Task An_unknown_email_runs_the_password_hasher_and_gets_the_wrong_password_message()
    {
        var hasher = new CountingPasswordHasher();
        await using var app = new ClinicAppFactory { ConfigureServices = services => services.AddSingleton<IPasswordHasher<StaffUser>>(hasher) };
        using var client = new SignInClient(app.ServerAddress);

        _ = app.ServerAddress;
        var before = hasher.Verifications;
        var known = await (await client.SignInAsync(DemoSignIns.Receptionist.Email, "not-the-password")).Content.ReadAsStringAsync();
        var afterKnown = hasher.Verifications;
        var unknown = await (await client.SignInAsync("nobody@harbourside.example", "not-the-password")).Content.ReadAsStringAsync();

        Assert.Equal(before + 1, afterKnown);
        Assert.Equal(afterKnown + 1, hasher.Verifications);
        Assert.Equal(AlertOf(known), AlertOf(unknown));
        Assert.Contains("That email and password don&#x27;t match", unknown, StringComparison.Ordinal);
    }

    private static string AlertOf(string html) =>
        System.Text.RegularExpressions.Regex.Match(html, "<div class=\"account-alert\" role=\"alert\">([^<]*)</div>").Groups[1].Value;

    /// <summary>Identity's own hasher, counting how often a password is checked.</summary>
    private sealed class CountingPasswordHasher : IPasswordHasher<StaffUser>
    {
        private readonly PasswordHasher<StaffUser> inner = new();
        private int verifications;

        public int Verifications => Volatile.Read(ref verifications);

        public string HashPassword(StaffUser user, string password) => inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(StaffUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref verifications);
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
