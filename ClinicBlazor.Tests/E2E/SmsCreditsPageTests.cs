using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.E2E;

public sealed class SmsCreditsPageTests(ClinicAppFactory app, BrowserFixture browser) : IClassFixture<ClinicAppFactory>, IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Admin_tops_up_25_credits_after_a_refusal_at_the_field_and_sees_it_in_the_balance_and_ledger()
    {
        var page = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.Admin.Email, DemoSignIns.Admin.Password);
        await page.GotoAsync("/sms-credits");
        await BrowserFixture.WaitForInteractiveAsync(page);

        await Assertions.Expect(page.GetByTestId("sms-balance")).ToHaveTextAsync("50");
        await Assertions.Expect(page.GetByTestId("ledger")).ToContainTextAsync("Opening balance");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" })).ToHaveAttributeAsync("href", "/sms-credits/export.csv");

        await page.GetByRole(AriaRole.Button, new() { Name = "Top up" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        var credits = dialog.GetByLabel("Credits to add");
        await credits.FillAsync("2.5");
        await credits.BlurAsync();
        await Assertions.Expect(dialog).ToContainTextAsync("Credits are whole numbers");
        await Assertions.Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Top up" })).ToBeDisabledAsync();

        await credits.FillAsync("25");
        await dialog.GetByLabel("Note").FillAsync("Invoice 7");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Top up" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("sms-balance")).ToHaveTextAsync("75");
        await Assertions.Expect(page.GetByTestId("ledger")).ToContainTextAsync("Invoice 7");
        await Assertions.Expect(page.GetByTestId("ledger")).ToContainTextAsync("Olivia Grant");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" }).ClickAsync());
        var csv = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.Contains(",Top-up,25,75,Invoice 7,Olivia Grant,,", csv, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Low_balance_threshold_refuses_bad_input_at_the_field_and_saves_nothing()
    {
        var before = await ThresholdAsync();
        var page = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.Admin.Email, DemoSignIns.Admin.Password);
        await page.GotoAsync("/sms-credits");
        await BrowserFixture.WaitForInteractiveAsync(page);
        var field = page.GetByLabel("Threshold (credits)");
        var card = page.Locator(".mud-paper").Filter(new() { Has = field });

        foreach (var bad in new[] { "abc", "", "-1", "99999999", "2.5" })
        {
            await field.FillAsync(bad);
            await field.BlurAsync();
            await page.GetByTestId("save-threshold").ClickAsync();
            await Assertions.Expect(card).ToContainTextAsync(SmsCreditService.ThresholdError);
            Assert.Equal(before, await ThresholdAsync());
            await Assertions.Expect(page.GetByText("Low-balance threshold saved")).ToHaveCountAsync(0);
        }

        await field.FillAsync("1,200");
        await field.BlurAsync();
        await page.GetByTestId("save-threshold").ClickAsync();
        await Assertions.Expect(page.GetByText("Low-balance threshold saved: 1,200 credits.")).ToBeVisibleAsync();
        await Assertions.Expect(card).Not.ToContainTextAsync(SmsCreditService.ThresholdError);
        Assert.Equal(1200, await ThresholdAsync());
        await page.Context.CloseAsync();
    }

    private async Task<int> ThresholdAsync()
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<SmsCreditAccount>().AsNoTracking().Select(a => a.LowBalanceThreshold).SingleAsync();
    }

    [Fact]
    public async Task Receptionist_cannot_open_the_SMS_credits_page()
    {
        var page = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.Receptionist.Email, DemoSignIns.Receptionist.Password);

        await page.GotoAsync("/sms-credits");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("sms-balance")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }
}
