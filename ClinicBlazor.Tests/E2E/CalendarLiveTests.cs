using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.E2E;

public sealed class CalendarLiveTests(ClinicAppFactory app, BrowserFixture browser) : IClassFixture<ClinicAppFactory>, IClassFixture<BrowserFixture>
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Live = new() { Timeout = 5_000 };

    [Fact]
    public async Task Receptionist_cancels_with_a_reason_the_other_sees_it_struck_through_without_reload_and_Undo_restores_it_in_both()
    {
        var (appointmentId, day) = await UpcomingAppointmentAsync();
        var sam = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.Receptionist.Email, DemoSignIns.Receptionist.Password);
        var alex = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.SecondReceptionist.Email, DemoSignIns.SecondReceptionist.Password);
        foreach (var page in new[] { sam, alex })
        {
            await page.GotoAsync($"/calendar?view=day&date={day:yyyy-MM-dd}");
            await BrowserFixture.WaitForInteractiveAsync(page);
        }

        var samsBlock = sam.Locator($"[data-appointment-id='{appointmentId}']");
        var alexsBlock = alex.Locator($"[data-appointment-id='{appointmentId}']");
        await Assertions.Expect(alexsBlock).ToHaveAttributeAsync("data-cancelled", "false");

        await samsBlock.ClickAsync();
        await sam.GetByRole(AriaRole.Button, new() { Name = "Cancel appointment" }).ClickAsync();
        var cancelDialog = sam.Locator(".mud-dialog").Filter(new() { Has = sam.GetByText("Reason (optional)") });
        await cancelDialog.Locator("div.mud-input-control.mud-select").ClickAsync();
        await sam.Locator(".mud-popover-open").GetByText("Sick", new() { Exact = true }).ClickAsync();
        await cancelDialog.GetByLabel("Note (optional)").FillAsync("Called in with a fever");
        await cancelDialog.GetByRole(AriaRole.Button, new() { Name = "Cancel appointment" }).ClickAsync();

        await Assertions.Expect(sam.GetByText(AppointmentActionsMessage)).ToBeVisibleAsync();
        await Assertions.Expect(alexsBlock).ToHaveAttributeAsync("data-cancelled", "true", Live);
        await Assertions.Expect(alexsBlock).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("cal-block-cancelled"));
        Assert.Equal("line-through", await alexsBlock.EvaluateAsync<string>("e => getComputedStyle(e).textDecorationLine"));
        await using (var db = await app.CreateDbContextAsync())
        {
            var stored = await db.Set<Appointment>().AsNoTracking().SingleAsync(a => a.Id == appointmentId);
            Assert.Equal(CancellationReason.Sick, stored.CancellationReason);
            Assert.Equal("Called in with a fever", stored.CancellationNote);
            Assert.Equal("Sam at reception", stored.CancelledByName);
        }

        await sam.GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();

        await Assertions.Expect(samsBlock).ToHaveAttributeAsync("data-cancelled", "false", Live);
        await Assertions.Expect(alexsBlock).ToHaveAttributeAsync("data-cancelled", "false", Live);
        await sam.Context.CloseAsync();
        await alex.Context.CloseAsync();
    }

    private const string AppointmentActionsMessage = ClinicBlazor.Features.Calendar.AppointmentActions.CancelledMessage;

    /// <summary>The next booked appointment at least two hours away, and its day in the clinic's time zone.</summary>
    private async Task<(int Id, DateOnly Day)> UpcomingAppointmentAsync()
    {
        _ = app.ServerAddress;
        await using var db = await app.CreateDbContextAsync();
        var clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync();
        var after = app.UtcNow.AddHours(2);
        var appointment = await db.Set<Appointment>().AsNoTracking()
            .Where(a => a.Status == AppointmentStatus.Booked && a.StartUtc > after)
            .OrderBy(a => a.StartUtc)
            .FirstAsync();
        return (appointment.Id, DateOnly.FromDateTime(clinic.ToLocal(appointment.StartUtc)));
    }
}
