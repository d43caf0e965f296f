using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.E2E;

public sealed class FrontDeskTests(ClinicAppFactory app, BrowserFixture browser) : IClassFixture<ClinicAppFactory>, IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Patient_phoning_to_cancel_search_open_cancel_then_Undo()
    {
        var (patientName, appointmentId) = await PatientWithUpcomingAppointmentAsync();
        var practitioner = await NotifiedByEmailAsync(appointmentId);
        var page = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.Receptionist.Email, DemoSignIns.Receptionist.Password);
        await page.GotoAsync("/patients");
        await BrowserFixture.WaitForInteractiveAsync(page);

        await page.GetByLabel("Search patients").FillAsync(patientName);
        await Assertions.Expect(page.GetByTestId("patient-results").GetByText(patientName)).ToBeVisibleAsync();
        await page.GetByLabel("Search patients").PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("patient-name")).ToHaveTextAsync(patientName);

        var row = page.Locator($"[data-testid='upcoming-appointments'] tr[data-appointment-id='{appointmentId}']");
        await row.GetByRole(AriaRole.Button, new() { Name = "Cancel appointment" }).ClickAsync();
        var dialog = page.Locator(".mud-dialog").Filter(new() { Has = page.GetByText("Reason (optional)") });
        var outlook = $"{practitioner} will be emailed.";
        await Assertions.Expect(dialog.GetByTestId("cancel-notice")).ToHaveTextAsync(outlook);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel appointment" }).ClickAsync();

        await Assertions.Expect(row.GetByRole(AriaRole.Button, new() { Name = "Reinstate" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync($"Appointment cancelled. {outlook}");
        Assert.Equal(AppointmentStatus.Cancelled, await StatusAsync(appointmentId));

        await page.GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();

        await Assertions.Expect(row.GetByRole(AriaRole.Button, new() { Name = "Cancel appointment" })).ToBeVisibleAsync();
        Assert.Equal(AppointmentStatus.Booked, await StatusAsync(appointmentId));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Keyboard_only_find_a_patient_cancel_an_appointment_and_press_Undo()
    {
        var (patientName, _) = await PatientWithUpcomingAppointmentAsync();
        var page = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.Receptionist.Email, DemoSignIns.Receptionist.Password);
        await page.GotoAsync("/patients");
        await BrowserFixture.WaitForInteractiveAsync(page);

        // The search field has the focus on arrival; everything from here is keys.
        await page.WaitForFunctionAsync("() => document.activeElement?.closest(\"[data-testid='patient-search']\") !== null");
        await page.Keyboard.TypeAsync(patientName, new() { Delay = 30 });
        await Assertions.Expect(page.GetByTestId("patient-results").GetByText(patientName)).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("patient-name")).ToHaveTextAsync(patientName);

        await CalendarWeekViewTests.TabUntilAsync(page, "[data-testid='upcoming-appointments'] button.mud-button-outlined-error");
        var appointmentId = int.Parse(await page.EvaluateAsync<string>("() => document.activeElement.closest('tr').dataset.appointmentId"), System.Globalization.CultureInfo.InvariantCulture);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("cancel-summary")).ToBeVisibleAsync();
        await CalendarWeekViewTests.TabUntilAsync(page, ".mud-dialog button.mud-button-filled-error");
        await page.Keyboard.PressAsync("Enter");

        // The focus moves to the snackbar's Undo by itself.
        await page.WaitForFunctionAsync("() => document.activeElement?.textContent?.trim() === 'Undo'");
        Assert.Equal(AppointmentStatus.Cancelled, await StatusAsync(appointmentId));
        await page.Keyboard.PressAsync("Enter");

        var row = page.Locator($"[data-testid='upcoming-appointments'] tr[data-appointment-id='{appointmentId}']");
        await Assertions.Expect(row.GetByRole(AriaRole.Button, new() { Name = "Cancel appointment" })).ToBeVisibleAsync();
        Assert.Equal(AppointmentStatus.Booked, await StatusAsync(appointmentId));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Booking_over_another_appointment_is_refused_with_the_message_at_the_start_time()
    {
        var (_, appointmentId) = await PatientWithUpcomingAppointmentAsync();
        await using var db = await app.CreateDbContextAsync();
        var taken = await db.Set<Appointment>().AsNoTracking().SingleAsync(a => a.Id == appointmentId);
        var clinic = await db.Set<ClinicBlazor.Features.Settings.Clinic>().AsNoTracking().SingleAsync();
        var takenStart = clinic.ToLocal(taken.StartUtc);
        var page = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.Receptionist.Email, DemoSignIns.Receptionist.Password);
        await page.GotoAsync($"/calendar?view=day&date={takenStart:yyyy-MM-dd}");
        await BrowserFixture.WaitForInteractiveAsync(page);

        // The top of the column is 08:00, before the demo's first appointments.
        await page.Locator($".cal-column[data-practitioner-id='{taken.PractitionerId}']").ClickAsync(new() { Position = new() { X = 10, Y = 4 } });
        var dialog = page.Locator(".mud-dialog").Filter(new() { HasText = "New appointment" });
        await Assertions.Expect(dialog.GetByLabel("Start time")).ToHaveValueAsync("08:00");
        await ChooseFromAutocompleteAsync(page, dialog.GetByLabel("Patient"), "smith", "Jane Smith");
        await dialog.GetByLabel("Start time").FillAsync(takenStart.ToString("HH:mm"));
        await dialog.GetByLabel("Start time").PressAsync("Tab");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Book" }).ClickAsync();

        await Assertions.Expect(dialog.GetByText(AppointmentService.SlotTaken)).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// Types into an autocomplete as a person would and picks the option. Typing that lands while the
    /// dialog's field is still taking focus can leave the list closed; the text is then typed again.
    /// </summary>
    internal static async Task ChooseFromAutocompleteAsync(IPage page, ILocator field, string typed, string option)
    {
        var choice = page.Locator(".mud-popover-open").GetByText(option);
        for (var attempt = 1; ; attempt++)
        {
            await field.ClickAsync();
            await field.FillAsync("");
            await field.PressSequentiallyAsync(typed, new() { Delay = 30 });
            try
            {
                await choice.WaitForAsync(new() { Timeout = 5000 });
                break;
            }
            catch (TimeoutException) when (attempt < 3)
            {
            }
        }

        await choice.ClickAsync();
    }

    private async Task<(string PatientName, int AppointmentId)> PatientWithUpcomingAppointmentAsync()
    {
        _ = app.ServerAddress;
        await using var db = await app.CreateDbContextAsync();
        var after = app.UtcNow.AddHours(2);
        var appointment = await db.Set<Appointment>().AsNoTracking().Include(a => a.Patient)
            .Where(a => a.Status == AppointmentStatus.Booked && a.StartUtc > after)
            .OrderBy(a => a.StartUtc)
            .FirstAsync();
        return (appointment.Patient!.FullName, appointment.Id);
    }

    /// <summary>Turns on email notices, with no window, for the appointment's practitioner; returns their first name.</summary>
    private async Task<string> NotifiedByEmailAsync(int appointmentId)
    {
        await using var db = await app.CreateDbContextAsync();
        var practitionerId = await db.Set<Appointment>().Where(a => a.Id == appointmentId).Select(a => a.PractitionerId).SingleAsync();
        var practitioner = await db.Set<ClinicBlazor.Features.Staff.Practitioner>().SingleAsync(p => p.Id == practitionerId);
        practitioner.NotificationMethod = ClinicBlazor.Features.Staff.NotificationMethod.Email;
        practitioner.NotifyWithinDays = null;
        await db.SaveChangesAsync();
        return practitioner.DisplayName.Split(' ')[0];
    }

    private async Task<AppointmentStatus> StatusAsync(int appointmentId)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<Appointment>().Where(a => a.Id == appointmentId).Select(a => a.Status).SingleAsync();
    }
}
