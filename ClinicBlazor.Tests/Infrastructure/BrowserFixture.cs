using Microsoft.Playwright;

namespace ClinicBlazor.Tests.Infrastructure;

/// <summary>
/// One headless Chromium per test class. Uses the machine's /usr/bin/chromium when present (no
/// download needed), otherwise Playwright's own browser.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        var options = new BrowserTypeLaunchOptions { Headless = true };
        const string systemChromium = "/usr/bin/chromium";
        if (File.Exists(systemChromium))
        {
            options.ExecutablePath = systemChromium;
            options.Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ];
        }

        Browser = await playwright.Chromium.LaunchAsync(options);
    }

    /// <summary>A fresh browser context (its own cookies) signed in as the given staff member.</summary>
    public async Task<IPage> SignedInPageAsync(Uri baseAddress, string email, string password)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseAddress.ToString() });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/Account/Login", StringComparison.OrdinalIgnoreCase));
        await WaitForInteractiveAsync(page);
        return page;
    }

    /// <summary>Waits until the Blazor circuit is connected, so clicks reach event handlers.</summary>
    public static async Task WaitForInteractiveAsync(IPage page)
    {
        await page.WaitForFunctionAsync(
            "() => window.Blazor !== undefined && document.querySelector('[data-interactive=\"true\"]') !== null",
            null,
            new PageWaitForFunctionOptions { Timeout = 30_000 });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
    }
}
