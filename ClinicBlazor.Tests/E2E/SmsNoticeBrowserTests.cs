using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Features.Notifications;
using ClinicBlazor.Tests.Features.Notifications.Sms;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.E2E;

/// <summary>Admin tops up; a practitioner on SMS and email; reception cancels: one SMS, one email, one credit.</summary>
public sealed class SmsNoticeBrowserTests(MaildevServer maildev, BrowserFixture browser)
    : IClassFixture<MaildevServer>, IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly TwilioStandIn twilio = new();
    private ClinicAppFactory app = null!;

    public async Task InitializeAsync()
    {
        await maildev.ClearAsync();
        await twilio.InitializeAsync();
        app = NoticeTestKit.NewApp(maildev, batchWindowSeconds: 0, fakeClock: false);
        app.WithTwilio(twilio, 10);
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await twilio.DisposeAsync();
    }

    [Fact]
    public async Task Admin_tops_up_then_a_cancellation_sends_one_SMS_and_one_email_and_uses_one_credit()
    {
        var admin = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.Admin.Email, DemoSignIns.Admin.Password);
        await admin.GotoAsync("/sms-credits");
        await BrowserFixture.WaitForInteractiveAsync(admin);
        await Assertions.Expect(admin.GetByTestId("sms-balance")).ToHaveTextAsync("50");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Top up" }).ClickAsync();
        var dialog = admin.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Credits to add").FillAsync("25");
        await dialog.GetByLabel("Note").FillAsync("Monthly top-up");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Top up" }).ClickAsync();
        await Assertions.Expect(admin.GetByTestId("sms-balance")).ToHaveTextAsync("75");

        var priya = DemoSignIns.Practitioner;
        await app.SetNoticesAsync(priya.Email, NotificationMethod.SmsAndEmail, mobile: "+61412345678");
        await app.TellPatientsAsync(byEmail: false); // the practitioner's notices only: no patient email beside them
        int appointmentId;
        await using (var db = await app.CreateDbContextAsync())
        {
            var practitionerId = (await app.PractitionerAsync(priya.Email)).Id;
            var after = app.UtcNow.AddHours(3);
            appointmentId = await db.Set<Appointment>()
                .Where(a => a.PractitionerId == practitionerId && a.Status == AppointmentStatus.Booked && a.StartUtc > after)
                .OrderBy(a => a.StartUtc).Select(a => a.Id).FirstAsync();
        }

        Assert.True((await app.CancelAsAsync(DemoSignIns.Receptionist.Email, appointmentId, CancellationReason.Sick)).Succeeded);

        var email = Assert.Single(await maildev.WaitForEmailsAsync(1, TimeSpan.FromSeconds(20)));
        Assert.Equal(priya.Email, email.ToAddress);
        var deadline = Deadline.In(TimeSpan.FromSeconds(20));
        while (twilio.MessagePosts.Count == 0 && !deadline.Passed)
        {
            await Task.Delay(100);
        }

        var sms = Assert.Single(twilio.MessagePosts);
        Assert.Equal("+61412345678", sms.Form["To"]);
        Assert.Contains("By reception.", sms.Form["Body"], StringComparison.Ordinal);

        await admin.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(admin);
        await Assertions.Expect(admin.GetByTestId("sms-balance")).ToHaveTextAsync("74");
        await admin.Context.CloseAsync();
    }
}
