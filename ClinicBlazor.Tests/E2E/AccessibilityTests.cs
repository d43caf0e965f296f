using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.OnlineBookings;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Tests.Features.Calendar;
using ClinicBlazor.Tests.Infrastructure;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.E2E;

/// <summary>
/// axe-core (4.14, through Deque.AxeCore.Playwright) on every page a clinic uses, in Chromium at
/// 1366×768 with the demo clinic: no critical and no serious violations, and a main landmark.
/// </summary>
public sealed class AccessibilityTests(FakeClockClinicAppFactory app, BrowserFixture browser) : IClassFixture<FakeClockClinicAppFactory>, IClassFixture<BrowserFixture>
{
    private const string Tuesday = "2026-11-24";

    [Theory]
    [InlineData("/calendar?view=day&date=" + Tuesday)]
    [InlineData("/calendar?view=week&date=" + Tuesday)]
    [InlineData("/patients")]
    [InlineData("/my-info")]
    [InlineData("/sms-credits")]
    [InlineData("/outbox")]
    [InlineData("/settings/audit")]
    public async Task Staff_page_has_no_serious_or_critical_violations(string path)
    {
        var page = await AdminPageAsync();
        await page.GotoAsync(path);
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator("h1")).ToBeVisibleAsync();
        await SettledAsync(page);

        await AssertAccessibleAsync(page, path);
    }

    [Fact]
    public async Task Patient_page_has_no_serious_or_critical_violations()
    {
        var patientId = await PatientWithAppointmentsAsync();
        var page = await AdminPageAsync();
        await page.GotoAsync($"/patients/{patientId}");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("patient-name")).ToBeVisibleAsync();
        await SettledAsync(page);

        await AssertAccessibleAsync(page, "patient page");
    }

    [Theory]
    [InlineData("Clinic")]
    [InlineData("Appointment types")]
    [InlineData("Staff")]
    [InlineData("Availability")]
    [InlineData("Online bookings")]
    public async Task Settings_tab_has_no_serious_or_critical_violations(string tab)
    {
        var page = await AdminPageAsync();
        await page.GotoAsync("/settings");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await page.GetByRole(AriaRole.Tab, new() { Name = tab, Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Tab, new() { Name = tab, Exact = true })).ToHaveAttributeAsync("aria-selected", "true");
        await SettledAsync(page);

        await AssertAccessibleAsync(page, $"Settings › {tab}");
    }

    [Fact]
    public async Task Cancel_dialog_has_no_serious_or_critical_violations()
    {
        var page = await AdminPageAsync();
        await page.GotoAsync($"/calendar?view=day&date=2026-11-26");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await page.Locator(".cal-block:not(.cal-block-cancelled)").First.ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Cancel appointment" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("cancel-summary")).ToBeVisibleAsync();
        await SettledAsync(page);

        await AssertAccessibleAsync(page, "cancel dialog");
    }

    [Fact]
    public async Task Sign_in_page_has_no_serious_or_critical_violations()
    {
        var page = await AnonymousPageAsync();
        await page.GotoAsync("/Account/Login");
        await Assertions.Expect(page.GetByLabel("Email")).ToBeVisibleAsync();

        await AssertAccessibleAsync(page, "sign-in");
    }

    [Fact]
    public async Task Online_booking_page_has_no_serious_or_critical_violations()
    {
        var page = await AnonymousPageAsync();
        await page.GotoAsync("/book");
        await Assertions.Expect(page.Locator("h1")).ToBeVisibleAsync();

        await AssertAccessibleAsync(page, "/book");
    }

    [Fact]
    public async Task Booking_link_page_has_no_serious_or_critical_violations()
    {
        var token = await OnlineBookingTokenAsync();
        var page = await AnonymousPageAsync();
        await page.GotoAsync($"/booking/{token}");
        await Assertions.Expect(page.Locator("h1")).ToBeVisibleAsync();

        await AssertAccessibleAsync(page, "booking link");
    }

    private static async Task AssertAccessibleAsync(IPage page, string what)
    {
        var results = await page.RunAxe();
        var blocking = results.Violations.Where(v => v.Impact is "critical" or "serious").ToList();
        var report = string.Join("\n", blocking.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help}\n    " + string.Join("\n    ", v.Nodes.Take(5).Select(n => $"{n.Target} {Shorten(n.Html)}"))));
        Assert.True(blocking.Count == 0, $"{what}: {blocking.Count} serious or critical accessibility violations\n{report}");
        Assert.Equal(1, await page.Locator("main").CountAsync());
    }

    private static string Shorten(string html) => html.Length <= 160 ? html : html[..160] + "…";

    /// <summary>Waits for MudBlazor's entrance transitions (dialogs, tabs) to finish, so colours are final.</summary>
    private static async Task SettledAsync(IPage page) =>
        await page.WaitForFunctionAsync("() => document.getAnimations().every(a => a.playState !== 'running')");

    private async Task<IPage> AdminPageAsync()
    {
        var page = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.Admin.Email, DemoSignIns.Admin.Password);
        await page.SetViewportSizeAsync(1366, 768);
        return page;
    }

    private async Task<IPage> AnonymousPageAsync()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.ServerAddress.ToString(), ViewportSize = new() { Width = 1366, Height = 768 } });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>A patient with upcoming appointments, one of them cancelled (its row is styled apart).</summary>
    private async Task<int> PatientWithAppointmentsAsync()
    {
        _ = app.ServerAddress;
        int patientId;
        int appointmentId;
        await using (var db = await app.CreateDbContextAsync())
        {
            var after = FakeClockClinicAppFactory.Now.UtcDateTime;
            (patientId, appointmentId) = await db.Set<Appointment>().AsNoTracking()
                .Where(a => a.StartUtc > after && a.Status == AppointmentStatus.Booked)
                .OrderBy(a => a.StartUtc).Select(a => ValueTuple.Create(a.PatientId, a.Id)).FirstAsync();
        }

        await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var cancelled = await scope.ServiceProvider.GetRequiredService<AppointmentService>().CancelAsync(new CancelAppointment(appointmentId));
        Assert.True(cancelled.Succeeded, cancelled.Error);
        return patientId;
    }

    /// <summary>Books Thursday's first free online slot as a patient would, and returns the private link's token.</summary>
    private async Task<string> OnlineBookingTokenAsync()
    {
        await using var scope = app.AnonymousScope();
        var bookings = scope.ServiceProvider.GetRequiredService<OnlineBookingService>();
        var choices = await bookings.GetChoicesAsync();
        var type = choices.Types[0];
        var slot = (await bookings.GetSlotsAsync(null, type.Id, new DateOnly(2026, 11, 26)))[0];
        var booked = await bookings.BookAsync(slot.Key, type.Id, new PatientDetailsInput
        {
            FirstName = "Ada",
            LastName = "Axe",
            Email = "ada.axe@patients.example",
            Mobile = "0412 555 010",
        }, app.ServerAddress + "booking/");
        Assert.True(booked.Succeeded, booked.Error);
        return booked.Value!.Token;
    }
}
