using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Features.Notifications;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.E2E;

/// <summary>
/// The admin's Outbox with no SMTP server configured (the first-run setup): the digest is a pickup
/// file, readable on the page; filters narrow it; a failed email can be resent.
/// </summary>
public sealed class OutboxBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly ClinicAppFactory app = NoticeTestKit.NewApp(batchWindowSeconds: 0, fakeClock: false);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Admin_reads_the_notice_filters_by_practitioner_and_resends_a_failed_email()
    {
        var priya = DemoSignIns.Practitioner.Email;
        await app.SetNoticesAsync(priya, NotificationMethod.Email);
        await app.TellPatientsAsync(byEmail: false); // the practitioner's notices only: no patient email beside them
        var appointmentId = await app.NextBookedAppointmentIdAsync(priya);
        await app.CancelAsAsync(DemoSignIns.Receptionist.Email, appointmentId, CancellationReason.Sick);
        var notice = await app.WaitForNoticeAsync(appointmentId, n => n.Deliveries.Any(d => d.State == DeliveryState.Sent));
        var pickupFiles = Directory.GetFiles(Path.Combine(app.DataDirectory, "outbox"), "*.eml");
        Assert.Single(pickupFiles);

        var page = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.Admin.Email, DemoSignIns.Admin.Password);
        await page.GotoAsync("/outbox");
        await BrowserFixture.WaitForInteractiveAsync(page);

        var notices = page.GetByTestId("outbox-notices");
        await Assertions.Expect(notices).ToContainTextAsync("Priya Patel");
        await Assertions.Expect(notices).ToContainTextAsync("Sam at reception");
        await Assertions.Expect(notices).ToContainTextAsync("Email sent");

        // The email itself is readable on the page, as the pickup file holds it.
        var patientName = notice.PatientName;
        var panel = page.Locator(".mud-expand-panel").Filter(new() { HasText = $"Cancelled: {patientName}" });
        await Assertions.Expect(panel).ToHaveCountAsync(1);
        await panel.Locator(".mud-expand-panel-header").ClickAsync();
        await Assertions.Expect(panel.Locator("pre")).ToContainTextAsync("Sick");
        await Assertions.Expect(panel.Locator("pre")).ToContainTextAsync("Sam at reception");

        // Another practitioner's filter shows none of it.
        await page.Locator("div.mud-input-control.mud-select").Filter(new() { HasText = "Practitioner" }).ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("Tom Becker", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText("No notices match.")).ToBeVisibleAsync();
        await page.Locator("div.mud-input-control.mud-select").Filter(new() { HasText = "Practitioner" }).ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("Everyone", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(notices).ToContainTextAsync("Priya Patel");

        // As if the mail server had refused the mailbox: the admin resends it from the page.
        await using (var db = await app.CreateDbContextAsync())
        {
            var delivery = await db.Set<NoticeDelivery>().SingleAsync(d => d.Notice!.AppointmentId == appointmentId);
            delivery.State = DeliveryState.Failed;
            delivery.Reason = "mailbox rejected (550): no such user";
            await db.SaveChangesAsync();
        }

        await page.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(notices).ToContainTextAsync("mailbox rejected");
        await notices.GetByRole(AriaRole.Button, new() { Name = "Resend email" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Queued to send again.")).ToBeVisibleAsync();

        await app.WaitForNoticeAsync(appointmentId, n => n.Deliveries.Any(d => d.ResendOfDeliveryId != null && d.State == DeliveryState.Sent));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(app.DataDirectory, "outbox"), "*.eml").Length);
        await page.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(notices.GetByRole(AriaRole.Button, new() { Name = "Resend email" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".mud-expand-panel").Filter(new() { HasText = $"Cancelled: {patientName}" })).ToHaveCountAsync(2);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Admin_searches_by_patient_practitioner_or_subject_and_reads_each_status_about_the_practitioner()
    {
        var priya = DemoSignIns.Practitioner.Email;
        var tom = DemoSignIns.SecondPractitioner.Email;
        await app.SetNoticesAsync(priya, NotificationMethod.Email);
        await app.TellPatientsAsync(byEmail: false); // the practitioner's notices only: no patient email beside them
        await app.SetNoticesAsync(tom, NotificationMethod.Off);
        var priyas = await app.NextBookedAppointmentIdAsync(priya);
        var toms = await app.NextBookedAppointmentIdAsync(tom);
        await app.CancelAsAsync(DemoSignIns.Receptionist.Email, priyas);
        await app.CancelAsAsync(DemoSignIns.Receptionist.Email, toms);
        var priyasPatient = (await app.WaitForNoticeAsync(priyas, n => n.Deliveries.Any(d => d.State == DeliveryState.Sent))).PatientName;
        var tomsPatient = (await app.NoticeForAsync(toms)).PatientName;
        var tomsUserId = (await app.PractitionerAsync(tom)).UserId;

        var page = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.Admin.Email, DemoSignIns.Admin.Password);
        await page.GotoAsync("/outbox");
        await BrowserFixture.WaitForInteractiveAsync(page);
        var rows = page.GetByTestId("outbox-notices").Locator("tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        var search = page.GetByLabel("Search patient, practitioner or subject");

        await search.FillAsync(tomsPatient);
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows).ToContainTextAsync("Not sent: Tom has notifications off");
        await Assertions.Expect(rows.GetByRole(AriaRole.Link, new() { Name = "Tom Becker" })).ToHaveAttributeAsync("href", $"/my-info/{Uri.EscapeDataString(tomsUserId)}");

        await search.FillAsync("priya");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows).ToContainTextAsync(priyasPatient);
        await Assertions.Expect(page.Locator(".mud-expand-panel")).ToHaveCountAsync(1);

        await search.FillAsync("cancelled:");
        await Assertions.Expect(page.Locator(".mud-expand-panel").Filter(new() { HasText = $"Cancelled: {priyasPatient}" })).ToHaveCountAsync(1);

        await search.FillAsync("nobody-by-this-name");
        await Assertions.Expect(page.GetByText("No notices match.")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}
