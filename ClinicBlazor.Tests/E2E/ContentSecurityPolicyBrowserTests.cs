using ClinicBlazor.Features.DemoClinic;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.E2E;

/// <summary>The pages still work under the Content-Security-Policy: Chromium reports no violation on any of them.</summary>
public sealed class ContentSecurityPolicyBrowserTests(ClinicAppFactory app, BrowserFixture browser) : IClassFixture<ClinicAppFactory>, IClassFixture<BrowserFixture>
{
    private const string CollectViolations =
        "window.__cspViolations = []; document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));";

    [Fact]
    public async Task Staff_and_public_pages_run_without_a_policy_violation()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.ServerAddress.ToString() });
        context.SetDefaultTimeout(30_000);
        await context.AddInitScriptAsync(CollectViolations);
        var console = new List<string>();
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (console)
                {
                    console.Add(message.Text);
                }
            }
        };

        var violations = new List<string>();
        await page.GotoAsync("/book");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        violations.AddRange(await ViolationsAsync(page, "/book"));

        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("Email").FillAsync(DemoSignIns.Admin.Email);
        await page.GetByLabel("Password").FillAsync(DemoClinicSeeder.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/Account/Login", StringComparison.OrdinalIgnoreCase));
        foreach (var path in new[] { "/calendar", "/patients", "/my-info", "/sms-credits", "/settings" })
        {
            await page.GotoAsync(path);
            await BrowserFixture.WaitForInteractiveAsync(page);
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 }).First).ToBeVisibleAsync();
            violations.AddRange(await ViolationsAsync(page, path));
        }

        // A popover: MudBlazor positions them with inline styles at run time.
        await page.GotoAsync("/calendar");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = DemoSignIns.Admin.DisplayName }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Menuitem, new() { Name = "My Info" })).ToBeVisibleAsync();
        violations.AddRange(await ViolationsAsync(page, "/calendar (menu open)"));

        Assert.Empty(violations);
        lock (console)
        {
            Assert.Empty(console);
        }

        await context.CloseAsync();
    }

    private static async Task<IReadOnlyList<string>> ViolationsAsync(IPage page, string path)
    {
        var found = await page.EvaluateAsync<string[]>("() => window.__cspViolations || []");
        return [.. found.Select(v => $"{path}: {v}")];
    }
}
