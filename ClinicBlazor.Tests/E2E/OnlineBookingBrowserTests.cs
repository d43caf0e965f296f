using System.Text.RegularExpressions;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Features.Notifications;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.E2E;

/// <summary>
/// A patient books online, gets the confirmation by email, cancels through the link in it; the
/// practitioner's notice names "the patient, online" and an open staff calendar follows live.
/// </summary>
public sealed partial class OnlineBookingBrowserTests(MaildevServer maildev, BrowserFixture browser)
    : IClassFixture<MaildevServer>, IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly ClinicAppFactory app = NoticeTestKit.NewApp(maildev, batchWindowSeconds: 0, fakeClock: false);

    public Task InitializeAsync() => maildev.ClearAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Patient_books_gets_the_email_cancels_from_its_link_and_the_practitioner_and_calendar_are_told()
    {
        var priya = DemoSignIns.Practitioner;
        await app.SetNoticesAsync(priya.Email, NotificationMethod.Email, withinDays: null);
        var practitionerId = (await app.PractitionerAsync(priya.Email)).Id;
        var day = await NextWorkingDayAsync();

        // The patient: anonymous, server-rendered pages.
        var patientContext = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.ServerAddress.ToString() });
        var patient = await patientContext.NewPageAsync();
        await patient.GotoAsync("/book");
        await patient.GetByLabel("Practitioner").SelectOptionAsync(new SelectOptionValue { Value = practitionerId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await patient.GetByLabel("Appointment type").SelectOptionAsync(new SelectOptionValue { Label = "Follow-up (30 min)" });
        await patient.GetByLabel("Day").FillAsync(day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await patient.GetByRole(AriaRole.Button, new() { Name = "Show free times" }).ClickAsync();
        await patient.WaitForURLAsync("**/book?**");
        await patient.Locator("input[name='Form.Slot']").First.CheckAsync();
        await patient.GetByLabel("First name").FillAsync("Nina");
        await patient.GetByLabel("Last name").FillAsync("Kowalski");
        await patient.GetByLabel("Email").FillAsync("nina.kowalski@patients.example");
        await patient.GetByLabel("Mobile").FillAsync("0412 345 678");
        await patient.GetByRole(AriaRole.Button, new() { Name = "Book", Exact = true }).ClickAsync();
        await Assertions.Expect(patient.GetByRole(AriaRole.Heading, new() { Name = "You're booked" })).ToBeVisibleAsync();

        // The confirmation email carries the private link.
        var confirmation = (await maildev.WaitForEmailsAsync(1, TimeSpan.FromSeconds(20))).Single(e => e.ToAddress == "nina.kowalski@patients.example");
        var link = ManageLink().Match(confirmation.Text ?? "").Value;
        Assert.NotEmpty(link);
        int appointmentId;
        await using (var db = await app.CreateDbContextAsync())
        {
            var booked = await db.Set<Appointment>().AsNoTracking().Where(a => a.BookedOnline && a.PractitionerId == practitionerId).OrderByDescending(a => a.Id).FirstAsync();
            appointmentId = booked.Id;
        }

        // Reception has the day open.
        var sam = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.Receptionist.Email, DemoSignIns.Receptionist.Password);
        await sam.GotoAsync($"/calendar?view=day&date={day:yyyy-MM-dd}");
        await BrowserFixture.WaitForInteractiveAsync(sam);
        var block = sam.Locator($"[data-appointment-id='{appointmentId}']");
        await Assertions.Expect(block).ToHaveAttributeAsync("data-cancelled", "false");

        // The patient opens the link from the email and cancels with a reason.
        await patient.GotoAsync(new Uri(link).PathAndQuery);
        await patient.GetByLabel("Reason (optional)").SelectOptionAsync(new SelectOptionValue { Label = "Feeling better" });
        await patient.GetByRole(AriaRole.Button, new() { Name = "Cancel appointment" }).ClickAsync();
        await Assertions.Expect(patient.GetByRole(AriaRole.Heading, new() { Name = "Cancel this appointment?" })).ToBeVisibleAsync();
        await Assertions.Expect(block).ToHaveAttributeAsync("data-cancelled", "false");
        await patient.GetByRole(AriaRole.Button, new() { Name = "Yes, cancel my appointment" }).ClickAsync();
        await Assertions.Expect(patient.GetByRole(AriaRole.Heading, new() { Name = "Your appointment is cancelled" })).ToBeVisibleAsync();

        await Assertions.Expect(block).ToHaveAttributeAsync("data-cancelled", "true", new() { Timeout = 5_000 });
        // The booking's confirmation, the patient's cancellation confirmation and Priya's notice.
        var emails = await maildev.WaitForEmailsAsync(3, TimeSpan.FromSeconds(20));
        var notice = emails.Single(e => e.ToAddress == priya.Email);
        Assert.StartsWith("Cancelled: Follow-up with", emails.Single(e => e.ToAddress == "nina.kowalski@patients.example" && e.Subject.StartsWith("Cancelled", StringComparison.Ordinal)).Subject, StringComparison.Ordinal);
        Assert.StartsWith("Cancelled: Nina Kowalski", notice.Subject, StringComparison.Ordinal);
        Assert.Contains("the patient, online", notice.Text, StringComparison.Ordinal);
        Assert.Contains("Feeling better", notice.Text, StringComparison.Ordinal);
        await patientContext.CloseAsync();
        await sam.Context.CloseAsync();
    }

    private async Task<DateOnly> NextWorkingDayAsync()
    {
        await using var db = await app.CreateDbContextAsync();
        var clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync();
        var day = DateOnly.FromDateTime(clinic.ToLocal(app.UtcNow)).AddDays(2);
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            day = day.AddDays(1);
        }

        return day;
    }

    [GeneratedRegex("https?://[^\\s]+/booking/[A-Za-z0-9_-]{22}")]
    private static partial Regex ManageLink();
}
