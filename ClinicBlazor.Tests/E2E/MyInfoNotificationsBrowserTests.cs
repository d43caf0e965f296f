using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Features.Notifications;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.E2E;

public sealed class MyInfoNotificationsBrowserTests(MaildevServer maildev, BrowserFixture browser)
    : IClassFixture<MaildevServer>, IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly ClinicAppFactory app = NoticeTestKit.NewApp(maildev, batchWindowSeconds: 0, fakeClock: false);

    public async Task InitializeAsync()
    {
        await maildev.ClearAsync();
        await app.TellPatientsAsync(byEmail: false); // the practitioner's notices only: no patient email beside them
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Practitioner_turns_on_email_and_sees_the_notice_sent_after_reception_cancels()
    {
        var priya = DemoSignIns.Practitioner;
        var page = await browser.SignedInPageAsync(app.ServerAddress, priya.Email, priya.Password);
        await page.GotoAsync("/my-info");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Cancellation notifications" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Radio, new() { Name = "Email", Exact = true }).CheckAsync(new() { Force = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Saved.")).ToBeVisibleAsync();
        Assert.Equal(NotificationMethod.Email, (await app.PractitionerAsync(priya.Email)).NotificationMethod);

        // Reception, in its own session, cancels one of Priya's appointments (the calendar UI is another issue's).
        var appointmentId = await app.NextBookedAppointmentIdAsync(priya.Email);

        await app.CancelAsAsync(DemoSignIns.Receptionist.Email, appointmentId, CancellationReason.Work);

        var email = Assert.Single(await maildev.WaitForEmailsAsync(1, TimeSpan.FromSeconds(20)));
        Assert.Equal(priya.Email, email.ToAddress);
        await app.WaitForNoticeAsync(appointmentId, n => n.Deliveries.Any(d => d.State == ClinicBlazor.Features.Notifications.DeliveryState.Sent));

        await page.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("notice-status").First).ToContainTextAsync("Email sent");
        await Assertions.Expect(page.GetByTestId("recent-cancellations")).ToContainTextAsync("Sam at reception");
        await page.Context.CloseAsync();
    }
}
