using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Calendar;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Features.Calendar;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.E2E;

/// <summary>The calendar as the front desk works in it, at a laptop's 1366×768, on a Tuesday (fake clock).</summary>
public sealed class CalendarWeekViewTests(FakeClockClinicAppFactory app, BrowserFixture browser) : IClassFixture<FakeClockClinicAppFactory>, IClassFixture<BrowserFixture>
{
    private const string Tuesday = "2026-11-24";

    [Fact]
    public async Task Week_view_shows_all_five_days_inside_a_1366x768_window_without_scrolling_sideways()
    {
        var page = await PageAsync(DemoSignIns.Receptionist, 1366, 768);
        await page.GotoAsync("/calendar");
        await BrowserFixture.WaitForInteractiveAsync(page);

        var headers = page.Locator(".cal-day-header");
        await Assertions.Expect(headers).ToHaveCountAsync(5);
        await Assertions.Expect(page.Locator(".cal-day-header.cal-today")).ToHaveAttributeAsync("data-day", Tuesday);
        foreach (var header in await headers.AllAsync())
        {
            var box = await header.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.X >= 0 && box.X + box.Width <= 1366, $"{await header.TextContentAsync()} lies at {box.X}–{box.X + box.Width}");
        }

        var scroller = page.Locator(".cal-scroll");
        Assert.True(await scroller.EvaluateAsync<bool>("e => e.scrollWidth <= e.clientWidth"), "the week scrolls sideways");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        var lane = await page.Locator(".cal-column").First.BoundingBoxAsync();
        Assert.True(lane!.Width >= CalendarGrid.MinimumLanePixels, $"lane {lane.Width} px");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Week_view_shows_the_first_practitioner_and_says_how_many_fit_when_more_are_chosen()
    {
        var page = await PageAsync(DemoSignIns.SecondReceptionist, 1366, 768);
        await page.GotoAsync($"/calendar?view=week&date={Tuesday}");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator(".cal-practitioner-header")).ToHaveCountAsync(5);
        var first = await page.Locator(".cal-practitioner-header").First.TextContentAsync();

        await page.Locator("div.mud-input-control.mud-select").Filter(new() { HasText = "Practitioners" }).ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("All practitioners", new() { Exact = true }).ClickAsync();
        await page.Keyboard.PressAsync("Escape");

        await Assertions.Expect(page.GetByTestId("fit-note")).ToContainTextAsync("fit in a week at this width");
        Assert.True(await page.Locator(".cal-scroll").EvaluateAsync<bool>("e => e.scrollWidth <= e.clientWidth"), "the week scrolls sideways");
        await page.GetByTestId("fit-note").GetByRole(AriaRole.Button, new() { Name = "Day view" }).ClickAsync();
        await Assertions.Expect(page.Locator(".cal-day-header")).ToHaveCountAsync(1);
        Assert.Equal(await PractitionerCountAsync(), await page.Locator(".cal-practitioner-header").CountAsync());
        Assert.False(string.IsNullOrWhiteSpace(first));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Practitioners_chosen_for_the_week_follow_the_person_to_another_browser()
    {
        var page = await PageAsync(DemoSignIns.Receptionist, 1920, 1000);
        await page.GotoAsync($"/calendar?view=week&date={Tuesday}");
        await BrowserFixture.WaitForInteractiveAsync(page);
        var tomsLane = page.Locator(".cal-practitioner-header", new() { HasText = "Tom Becker" });
        await Assertions.Expect(page.Locator(".cal-practitioner-header").First).ToBeVisibleAsync();
        var before = await tomsLane.CountAsync();

        await page.Locator("div.mud-input-control.mud-select").Filter(new() { HasText = "Practitioners" }).ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("Tom Becker", new() { Exact = true }).ClickAsync();
        await page.Keyboard.PressAsync("Escape");
        var expected = before == 0 ? 5 : 0;
        await Assertions.Expect(tomsLane).ToHaveCountAsync(expected);
        await page.Context.CloseAsync();

        // Another browser (its own storage, its own cookies): the choice came with the person.
        var elsewhere = await PageAsync(DemoSignIns.Receptionist, 1920, 1000);
        await elsewhere.GotoAsync($"/calendar?view=week&date={Tuesday}");
        await BrowserFixture.WaitForInteractiveAsync(elsewhere);
        await Assertions.Expect(elsewhere.Locator(".cal-practitioner-header", new() { HasText = "Tom Becker" })).ToHaveCountAsync(expected);
        await elsewhere.Context.CloseAsync();
    }

    [Fact]
    public async Task A_practitioner_sees_their_own_week_by_default()
    {
        var page = await PageAsync(DemoSignIns.SecondPractitioner, 1366, 768);
        await page.GotoAsync("/calendar");
        await BrowserFixture.WaitForInteractiveAsync(page);

        await Assertions.Expect(page.Locator(".cal-practitioner-header")).ToHaveCountAsync(5);
        await Assertions.Expect(page.Locator(".cal-practitioner-header", new() { HasText = "Tom Becker" })).ToHaveCountAsync(5);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_cancelled_appointment_under_a_new_booking_stays_clickable_as_a_strip()
    {
        var (cancelledId, bookedId, day) = await CancelledThenRebookedAsync();
        var page = await PageAsync(DemoSignIns.Receptionist, 1366, 768);
        await page.GotoAsync($"/calendar?view=day&date={day:yyyy-MM-dd}");
        await BrowserFixture.WaitForInteractiveAsync(page);

        var strip = page.Locator($"[data-appointment-id='{cancelledId}'][data-strip='true']");
        await Assertions.Expect(strip).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($"[data-appointment-id='{bookedId}']")).ToBeVisibleAsync();
        await strip.ClickAsync();

        await Assertions.Expect(page.GetByTestId("appointment-cancelled")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task New_appointment_starts_on_the_day_on_show_at_a_free_time_and_a_booking_is_confirmed()
    {
        var page = await PageAsync(DemoSignIns.Receptionist, 1366, 768);
        await page.GotoAsync("/calendar?view=day&date=2026-11-26");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator(".cal-day-header")).ToHaveCountAsync(1);

        await page.GetByRole(AriaRole.Button, new() { Name = "New appointment" }).ClickAsync();
        var dialog = page.Locator(".mud-dialog").Filter(new() { HasText = "New appointment" });
        await Assertions.Expect(dialog.GetByLabel("Date", new() { Exact = true })).ToHaveValueAsync("Thu 26 Nov 2026");
        await Assertions.Expect(dialog.GetByLabel("Start time")).Not.ToHaveValueAsync("");
        await FrontDeskTests.ChooseFromAutocompleteAsync(page, dialog.GetByLabel("Patient"), "smith", "Jane Smith");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Book" }).ClickAsync();

        await Assertions.Expect(page.Locator("#mud-snackbar-container")).ToContainTextAsync(BookAppointmentDialog.BookedMessage);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_empty_slot_can_be_reached_and_booked_with_the_keyboard()
    {
        var page = await PageAsync(DemoSignIns.Receptionist, 1366, 768);
        await page.GotoAsync($"/calendar?view=day&date={Tuesday}");
        await BrowserFixture.WaitForInteractiveAsync(page);
        var slot = page.Locator(".cal-slot[tabindex='0']").First;
        await Assertions.Expect(slot).ToHaveCountAsync(1);

        await TabUntilAsync(page, ".cal-slot");
        await page.Keyboard.PressAsync("ArrowDown");
        var name = await page.EvaluateAsync<string>("() => document.activeElement.getAttribute('aria-label')");
        await page.Keyboard.PressAsync("Enter");

        var dialog = page.Locator(".mud-dialog").Filter(new() { HasText = "New appointment" });
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        var time = name.Split(' ')[1];
        await Assertions.Expect(dialog.GetByLabel("Start time")).ToHaveValueAsync(time);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task At_390_px_the_app_bar_keeps_one_line()
    {
        var page = await PageAsync(DemoSignIns.Receptionist, 390, 844);
        await page.GotoAsync($"/calendar?view=day&date={Tuesday}");
        await BrowserFixture.WaitForInteractiveAsync(page);

        var bar = await page.Locator(".mud-appbar").BoundingBoxAsync();
        Assert.True(bar!.Height <= 64, $"app bar {bar.Height} px high");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        await Assertions.Expect(page.Locator("main")).ToHaveCountAsync(1);
        await page.Context.CloseAsync();
    }

    /// <summary>Presses Tab (at most 200 times) until the focus is on an element matching the selector.</summary>
    internal static async Task TabUntilAsync(IPage page, string selector)
    {
        for (var presses = 0; presses < 200; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>("s => document.activeElement?.matches(s) === true", selector))
            {
                return;
            }
        }

        throw new InvalidOperationException($"Tab never reached {selector}.");
    }

    private async Task<IPage> PageAsync(ClinicBlazor.Features.DemoClinic.DemoStaff who, int width, int height)
    {
        var page = await browser.SignedInPageAsync(app.ServerAddress, who.Email, who.Password);
        await page.SetViewportSizeAsync(width, height);
        return page;
    }

    private async Task<int> PractitionerCountAsync()
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<Practitioner>().CountAsync(p => p.IsActive);
    }

    /// <summary>Cancels one of Wednesday's appointments and books another patient into its slot.</summary>
    private async Task<(int CancelledId, int BookedId, DateOnly Day)> CancelledThenRebookedAsync()
    {
        _ = app.ServerAddress;
        await using var db = await app.CreateDbContextAsync();
        var clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync();
        var wednesday = new DateOnly(2026, 11, 25);
        var from = clinic.ToUtc(wednesday.ToDateTime(new TimeOnly(12, 0)));
        var to = clinic.ToUtc(wednesday.ToDateTime(new TimeOnly(17, 0)));
        var taken = await db.Set<Appointment>().AsNoTracking()
            .Where(a => a.Status == AppointmentStatus.Booked && a.StartUtc >= from && a.StartUtc < to)
            .OrderByDescending(a => a.StartUtc).FirstAsync();
        var otherPatient = await db.Set<ClinicBlazor.Features.Patients.Patient>().AsNoTracking().Where(p => p.Id != taken.PatientId).Select(p => p.Id).FirstAsync();

        await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var appointments = scope.ServiceProvider.GetRequiredService<AppointmentService>();
        var cancelled = await appointments.CancelAsync(new CancelAppointment(taken.Id));
        Assert.True(cancelled.Succeeded, cancelled.Error);
        var booked = await appointments.BookAsync(new BookAppointment(otherPatient, taken.PractitionerId, taken.AppointmentTypeId, taken.StartUtc));
        Assert.True(booked.Succeeded, booked.Error);
        return (taken.Id, booked.Value!.Id, wednesday);
    }
}

/// <summary>The calendar on a Saturday (fake clock): it opens on the week that holds today, weekend shown.</summary>
public sealed class CalendarOnASaturdayTests(CalendarOnASaturdayTests.SaturdayClinic app, BrowserFixture browser) : IClassFixture<CalendarOnASaturdayTests.SaturdayClinic>, IClassFixture<BrowserFixture>
{
    /// <summary>The demo clinic on Saturday 28 November 2026, 10:00 in Sydney.</summary>
    public sealed class SaturdayClinic : ClinicAppFactory
    {
        public SaturdayClinic()
        {
            Clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 23, 0, 0, TimeSpan.Zero));
        }
    }

    [Fact]
    public async Task On_a_Saturday_the_calendar_opens_on_a_view_containing_today_and_Today_brings_it_back()
    {
        var page = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.Receptionist.Email, DemoSignIns.Receptionist.Password);
        await page.SetViewportSizeAsync(1366, 768);
        await page.GotoAsync("/calendar");
        await BrowserFixture.WaitForInteractiveAsync(page);

        var today = page.Locator(".cal-day-header.cal-today");
        await Assertions.Expect(today).ToHaveAttributeAsync("data-day", "2026-11-28");
        await Assertions.Expect(page.Locator(".cal-day-header")).ToHaveCountAsync(7);
        await Assertions.Expect(today).ToBeInViewportAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Next", Exact = true }).ClickAsync();
        await Assertions.Expect(today).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Today" }).ClickAsync();
        await Assertions.Expect(today).ToHaveAttributeAsync("data-day", "2026-11-28");
        await Assertions.Expect(today).ToBeInViewportAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Day", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator(".cal-day-header")).ToHaveCountAsync(1);
        await Assertions.Expect(today).ToHaveAttributeAsync("data-day", "2026-11-28");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task On_a_Saturday_online_booking_opens_on_the_first_day_with_free_times_and_offers_the_next_ones()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.ServerAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/book");

        await Assertions.Expect(page.GetByTestId("free-times-heading")).ToHaveTextAsync("Free times on Monday 30 November");
        Assert.True(await page.Locator("input[name='Form.Slot']").CountAsync() > 0);
        var next = page.GetByTestId("next-available");
        await Assertions.Expect(next.GetByRole(AriaRole.Link, new() { Name = "Tuesday 1 December" })).ToBeVisibleAsync();
        await next.GetByRole(AriaRole.Link, new() { Name = "Tuesday 1 December" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("free-times-heading")).ToHaveTextAsync("Free times on Tuesday 1 December");
        await context.CloseAsync();
    }
}
