using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.E2E;

/// <summary>A save that fails on a full disk says so at the form, in the browser, and changes nothing.</summary>
public sealed class DiskFullBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Saving_My_Info_on_a_full_disk_shows_the_sentence_at_the_form()
    {
        var faults = new DatabaseFaults();
        await using var app = new ClinicAppFactory { ConfigureServices = faults.AddTo };
        var priya = DemoSignIns.Practitioner;
        var page = await browser.SignedInPageAsync(app.ServerAddress, priya.Email, priya.Password);
        await page.GotoAsync("/my-info");
        await BrowserFixture.WaitForInteractiveAsync(page);
        var name = page.GetByLabel("Name", new() { Exact = true });
        var before = await name.InputValueAsync();

        // Signing in writes a session row, so the disk fills only once the page is open.
        faults.DiskFull = true;
        await name.FillAsync("Renamed On Full Disk");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("save-error")).ToHaveTextAsync("Could not save: the server's disk is full. Nothing was changed.");
        await Assertions.Expect(page.GetByText("Saved.")).ToHaveCountAsync(0);
        faults.DiskFull = false;

        await page.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync(before);
        await page.Context.CloseAsync();
    }
}
