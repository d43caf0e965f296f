using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.E2E;

public sealed class DeactivationBrowserTests : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly BrowserFixture browser;

    // Open pages re-check their user every second here instead of every minute.
    private readonly ClinicAppFactory app = new()
    {
        ConfigureServices = services => services.AddSingleton(new RevalidationInterval(TimeSpan.FromSeconds(1))),
    };

    public DeactivationBrowserTests(BrowserFixture browser) => this.browser = browser;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task An_open_page_of_a_deactivated_user_ends_on_a_page_saying_so()
    {
        var person = DemoSignIns.SecondReceptionist;
        var page = await browser.SignedInPageAsync(app.ServerAddress, person.Email, person.Password);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Calendar" })).ToBeVisibleAsync();

        await using (var asAdmin = await app.ScopeForAsync(DemoSignIns.Admin.Email))
        {
            var user = await asAdmin.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(person.Email);
            var result = await asAdmin.ServiceProvider.GetRequiredService<StaffService>().DeactivateAsync(user!.Id);
            Assert.True(result.Succeeded, result.Error);
        }

        await page.WaitForURLAsync("**/Account/Deactivated");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your account was deactivated" })).ToBeVisibleAsync();
        await page.GotoAsync("/calendar");
        await page.WaitForURLAsync("**/Account/Login**");
        await page.Context.CloseAsync();
    }
}
