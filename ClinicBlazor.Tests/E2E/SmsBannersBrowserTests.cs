using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.DemoClinic;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Features.Notifications;
using ClinicBlazor.Tests.Features.Notifications.Sms;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.E2E;

/// <summary>
/// What people see when SMS stops: a practitioner's paused number in My Info, the admin's SMS
/// settings banner, and the test notification on SMS and email. Twilio is the stand-in; notices are
/// sent by the app's own Quartz job.
/// </summary>
public sealed class SmsBannersBrowserTests(MaildevServer maildev, BrowserFixture browser)
    : IClassFixture<MaildevServer>, IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private const string Mobile = "+61412345678";
    private readonly TwilioStandIn twilio = new();
    private ClinicAppFactory app = null!;

    private static DemoStaff Priya => DemoSignIns.Practitioner;

    public async Task InitializeAsync()
    {
        await maildev.ClearAsync();
        await twilio.InitializeAsync();
        app = NoticeTestKit.NewApp(maildev, batchWindowSeconds: 0, fakeClock: false);
        app.WithTwilio(twilio, 10);

        _ = app.ServerAddress;
        await app.SetNoticesAsync(Priya.Email, NotificationMethod.Sms, mobile: Mobile);
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await twilio.DisposeAsync();
    }

    [Fact]
    public async Task A_practitioner_whose_number_was_refused_is_asked_to_fix_it_and_saving_it_again_resumes_SMS()
    {
        twilio.Enqueue(StandInReply.NumberError(21211));
        var refused = await CancelNextAppointmentAsync();
        await app.WaitForNoticeAsync(refused, n => SmsOf(n).State == DeliveryState.Failed);
        Assert.NotNull((await app.PractitionerAsync(Priya.Email)).SmsPausedReason);

        var page = await browser.SignedInPageAsync(app.ServerAddress, Priya.Email, Priya.Password);
        await page.GotoAsync("/my-info");
        await BrowserFixture.WaitForInteractiveAsync(page);
        var banner = page.GetByTestId("sms-paused-banner");
        await Assertions.Expect(banner).ToBeVisibleAsync();
        await Assertions.Expect(banner).ToContainTextAsync("Check your mobile number and save it again");

        // The same number, saved again.
        await Assertions.Expect(page.GetByLabel("Mobile")).Not.ToBeEmptyAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Saved.")).ToBeVisibleAsync();
        await Assertions.Expect(banner).ToHaveCountAsync(0);
        var priya = await app.PractitionerAsync(Priya.Email);
        Assert.Null(priya.SmsPausedReason);
        Assert.Equal(Mobile, priya.MobileE164);

        var resumed = await CancelNextAppointmentAsync();
        var notice = await app.WaitForNoticeAsync(resumed, n => SmsOf(n).State == DeliveryState.Sent);
        Assert.Equal(DeliveryState.Sent, SmsOf(notice).State);
        Assert.Equal(2, twilio.MessagePosts.Count);
        Assert.All(twilio.MessagePosts, post => Assert.Equal(Mobile, post.Form["To"]));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_admin_sees_the_SMS_settings_banner_while_Twilio_refuses_the_account_and_not_once_it_works()
    {
        twilio.Enqueue(StandInReply.AccountError(20003));
        var held = await CancelNextAppointmentAsync();
        await app.WaitForNoticeAsync(held, n => SmsOf(n).WaitingFor == HoldCode.SmsSettings);

        var admin = await browser.SignedInPageAsync(app.ServerAddress, DemoSignIns.Admin.Email, DemoSignIns.Admin.Password);
        await admin.GotoAsync("/outbox");
        await BrowserFixture.WaitForInteractiveAsync(admin);
        var banner = admin.GetByTestId("sms-settings-banner");
        await Assertions.Expect(banner).ToBeVisibleAsync();
        await Assertions.Expect(banner).ToContainTextAsync("SMS is not going out: Twilio refused the clinic's account or settings.");

        // Fixed: Twilio takes the account again, and the held delivery goes at its retry time.
        var retryAt = SmsOf(await app.NoticeForAsync(held)).NextAttemptAtUtc!.Value;
        await app.Services.GetRequiredService<NoticeDispatcher>().DispatchDueAsync(retryAt);
        Assert.Equal(DeliveryState.Sent, SmsOf(await app.NoticeForAsync(held)).State);

        await admin.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(admin);
        await Assertions.Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Outbox" })).ToBeVisibleAsync();
        await Assertions.Expect(banner).ToHaveCountAsync(0);
        await admin.Context.CloseAsync();
    }

    [Fact]
    public async Task A_test_notification_on_SMS_and_email_warns_of_the_credit_then_sends_both()
    {
        await app.SetNoticesAsync(Priya.Email, NotificationMethod.SmsAndEmail, mobile: Mobile);
        var page = await browser.SignedInPageAsync(app.ServerAddress, Priya.Email, Priya.Password);
        await page.GotoAsync("/my-info");
        await BrowserFixture.WaitForInteractiveAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Send test notification" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("The test SMS costs the clinic one SMS credit.");
        Assert.Empty(twilio.MessagePosts);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Send test", Exact = true }).ClickAsync();

        await Assertions.Expect(page.GetByText($"Test email sent to {Priya.Email}. Test SMS sent to {Mobile} (one SMS credit).")).ToBeVisibleAsync();
        var email = Assert.Single(await maildev.WaitForEmailsAsync(1));
        Assert.Equal(Priya.Email, email.ToAddress);
        Assert.Equal("Test notification from Harbourside Physio & Health", email.Subject);
        Assert.Equal(Mobile, Assert.Single(twilio.MessagePosts).Form["To"]);
        Assert.Equal(49, await app.SmsBalanceAsync());
        await page.Context.CloseAsync();
    }

    private static NoticeDelivery SmsOf(CancellationNotice notice) =>
        notice.Deliveries.Single(d => d.Channel == NoticeChannel.Sms && d.Kind == DeliveryKind.Cancellation);

    /// <summary>Reception cancels Priya's next booked appointment at least three hours ahead.</summary>
    private async Task<int> CancelNextAppointmentAsync()
    {
        int appointmentId;
        await using (var db = await app.CreateDbContextAsync())
        {
            var practitionerId = (await app.PractitionerAsync(Priya.Email)).Id;
            var after = app.UtcNow.AddHours(3);
            appointmentId = await db.Set<Appointment>()
                .Where(a => a.PractitionerId == practitionerId && a.Status == AppointmentStatus.Booked && a.StartUtc > after)
                .OrderBy(a => a.StartUtc).Select(a => a.Id).FirstAsync();
        }

        await app.CancelAsAsync(DemoSignIns.Receptionist.Email, appointmentId, CancellationReason.Sick);
        return appointmentId;
    }
}
