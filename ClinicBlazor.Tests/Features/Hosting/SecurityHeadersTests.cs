using System.Net;
using System.Text.RegularExpressions;
using ClinicBlazor.Features.DemoClinic;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Hosting;

public sealed partial class SecurityHeadersTests(ClinicAppFactory app) : IClassFixture<ClinicAppFactory>
{
    [Fact]
    public async Task Every_route_answers_with_one_policy_and_the_security_headers()
    {
        using var anonymous = new SignInClient(app.ServerAddress);
        using var admin = new SignInClient(app.ServerAddress);
        await admin.SignInAsync(DemoSignIns.Admin.Email, DemoClinicSeeder.AdminPassword);

        var checkedPaths = new List<string>();
        foreach (var path in Routes())
        {
            foreach (var client in new[] { anonymous, admin })
            {
                using var response = await client.Http.GetAsync(path);
                AssertSecurityHeaders(path, response);
            }

            checkedPaths.Add(path);
        }

        Assert.Contains("/calendar", checkedPaths);
        Assert.Contains("/healthz", checkedPaths);
        Assert.Contains("/css/clinic.css", checkedPaths);
    }

    [Fact]
    public async Task The_inline_import_map_carries_the_policys_nonce()
    {
        using var client = new SignInClient(app.ServerAddress);

        using var response = await client.Http.GetAsync("/Account/Login");
        var html = await response.Content.ReadAsStringAsync();

        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var nonce = NoncePattern().Match(policy).Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.Matches($"<script type=\"importmap\" nonce=\"{Regex.Escape(nonce)}\"", html);
    }

    /// <summary>Every routed endpoint of the app (parameters filled with sample values), one static file and a missing page.</summary>
    private List<string> Routes()
    {
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var paths = endpoints
            .Select(e => e.RoutePattern.RawText ?? "")
            .Where(raw => !raw.Contains('.', StringComparison.Ordinal) && !raw.StartsWith("_framework", StringComparison.Ordinal) && !raw.StartsWith("_content", StringComparison.Ordinal))
            .Select(raw => "/" + ParameterPattern().Replace(raw.TrimStart('/'), "1"))
            .Append("/css/clinic.css")
            .Append("/no-such-page")
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal)
            .ToList();
        return paths;
    }

    private static void AssertSecurityHeaders(string path, HttpResponseMessage response)
    {
        var policies = response.Headers.TryGetValues("Content-Security-Policy", out var values) ? values.ToList() : [];
        var policy = Assert.Single(policies);
        Assert.True(policy.Contains("script-src 'self' 'nonce-", StringComparison.Ordinal), $"{path}: {policy}");
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.Contains("style-src 'self' 'unsafe-inline'", policy, StringComparison.Ordinal);
        Assert.Equal(1, Regex.Count(policy, "frame-ancestors"));
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var sniff) && sniff.Single() == "nosniff", path);
        Assert.True(response.Headers.Contains("Referrer-Policy"), path);
        Assert.True(response.Headers.TryGetValues("Permissions-Policy", out var permissions) && permissions.Single().Contains("camera=()", StringComparison.Ordinal), path);
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex ParameterPattern();

    [GeneratedRegex("'nonce-([^']+)'")]
    private static partial Regex NoncePattern();
}
