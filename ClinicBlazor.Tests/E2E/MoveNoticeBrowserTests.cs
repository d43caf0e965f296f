using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Features.Notifications;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.E2E;

public sealed class MoveNoticeBrowserTests(MaildevServer maildev, BrowserFixture browser)
    : IClassFixture<MaildevServer>, IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly ClinicAppFactory app = NoticeTestKit.NewApp(maildev, batchWindowSeconds: 0, fakeClock: false);

    public Task InitializeAsync() => maildev.ClearAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Priya_ticks_the_move_checkbox_and_hears_when_Sam_moves_her_appointment()
    {
        var priya = DemoSignIns.Practitioner;
        var page = await browser.SignedInPageAsync(app.ServerAddress, priya.Email, priya.Password);
        await page.GotoAsync("/my-info");
        await BrowserFixture.WaitForInteractiveAsync(page);

        await page.GetByRole(AriaRole.Radio, new() { Name = "Email", Exact = true }).CheckAsync(new() { Force = true });
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Also tell me when an appointment is moved" }).CheckAsync(new() { Force = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Saved.")).ToBeVisibleAsync();
        var saved = await app.PractitionerAsync(priya.Email);
        Assert.Equal((NotificationMethod.Email, true, false), (saved.NotificationMethod, saved.NotifyOfMoves, saved.NotifyOfNewBookings));

        // Sam, at reception in a session of his own, moves Priya's next appointment to 02:00 the next night (free in the demo clinic).
        var appointmentId = await app.NextBookedAppointmentIdAsync(priya.Email);
        DateTime start;
        await using (var db = await app.CreateDbContextAsync())
        {
            start = await db.Set<ClinicBlazor.Features.Appointments.Appointment>().Where(a => a.Id == appointmentId).Select(a => a.StartUtc).SingleAsync();
        }

        await app.MoveAsAsync(DemoSignIns.Receptionist.Email, appointmentId, start.Date.AddDays(1).AddHours(15));

        var emails = await maildev.WaitForEmailsAsync(2, TimeSpan.FromSeconds(20));
        var email = Assert.Single(emails, e => e.ToAddress == priya.Email);
        Assert.StartsWith("Moved: ", email.Subject);
        Assert.Contains("→", email.Subject);
        Assert.Contains("Moved by Sam at reception", email.Text);
        await app.WaitForNoticeAsync(appointmentId, n => n.Deliveries.Any(d => d.State == DeliveryState.Sent));

        await page.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "Also tell me when an appointment is moved" })).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByTestId("recent-cancellations")).ToContainTextAsync("Moved from");
        await Assertions.Expect(page.GetByTestId("notice-status").First).ToContainTextAsync("Email sent");
        await page.Context.CloseAsync();
    }
}
