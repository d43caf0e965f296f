using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.E2E;

public sealed class ShellTests(ClinicAppFactory app, BrowserFixture browser) : IClassFixture<ClinicAppFactory>, IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Receptionist_signs_in_sees_the_shell_and_reaches_My_Info_from_the_user_menu()
    {
        var page = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.Receptionist.Email, DemoSignIns.Receptionist.Password);

        await Assertions.Expect(page.GetByTestId("clinic-name")).ToHaveTextAsync("Harbourside Physio & Health");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Calendar" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "SMS credits" })).ToHaveCountAsync(0);

        await page.GetByTestId("user-menu").GetByRole(AriaRole.Button, new() { Name = "Sam Taylor" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "My Info" }).ClickAsync();

        await page.WaitForURLAsync("**/my-info");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My Info" })).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Admin_sees_the_administration_links()
    {
        var page = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.Admin.Email, DemoSignIns.Admin.Password);

        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "SMS credits" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Outbox" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Settings" })).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Sign_out_from_the_user_menu_returns_to_sign_in()
    {
        var page = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.Practitioner.Email, DemoSignIns.Practitioner.Password);

        await page.GetByTestId("user-menu").GetByRole(AriaRole.Button, new() { Name = "Priya Patel" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Sign out" }).ClickAsync();

        await page.WaitForURLAsync("**/Account/Login");
        await page.GotoAsync("/calendar");
        await page.WaitForURLAsync("**/Account/Login?**");
        await page.Context.CloseAsync();
    }
}
