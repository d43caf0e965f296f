using ClinicBlazor.Data;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.MyInfo;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Notifications.Sms;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Notifications.Sms;

/// <summary>
/// SMS notices end to end against the Twilio stand-in, the dispatcher driven directly on a fake
/// clock: every outcome, and for each the ledger's net charge for that delivery.
/// </summary>
public class SmsDeliveryTests : IAsyncLifetime
{
    private const string Mobile = "+61412345678";
    private readonly TwilioStandIn twilio = new();
    private readonly DatabaseProvider provider;
    private ClinicAppFactory app = null!;

    public SmsDeliveryTests()
        : this(DatabaseProvider.Sqlite)
    {
    }

    protected SmsDeliveryTests(DatabaseProvider provider) => this.provider = provider;

    private static string Priya => DemoSignIns.Practitioner.Email;
    private static string Sam => DemoSignIns.Receptionist.Email;

    public async Task InitializeAsync() => await StartAsync(timeoutSeconds: 10);

    private async Task StartAsync(int timeoutSeconds, int parallelSends = 4)
    {
        await twilio.InitializeAsync();
        app = NoticeTestKit.NewApp(batchWindowSeconds: 0, provider: provider)
            .With("Notifications:MaxParallelSends", parallelSends.ToString(System.Globalization.CultureInfo.InvariantCulture));
        app.WithTwilio(twilio, timeoutSeconds);

        _ = app.ServerAddress;
        await app.SetNoticesAsync(Priya, NotificationMethod.Sms, mobile: Mobile);
        await app.SetSmsBalanceAsync(10);
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await twilio.DisposeAsync();
    }

    [Fact]
    public async Task Accepted_is_sent_with_its_sid_and_charged_once()
    {
        var delivery = await CancelAndDispatchAsync();

        Assert.Equal(DeliveryState.Sent, delivery.State);
        var post = Assert.Single(twilio.MessagePosts);
        Assert.Equal(Mobile, post.Form["To"]);
        Assert.Equal("36000", post.Form["ValidityPeriod"]);
        Assert.EndsWith($"Ref {delivery.SmsReference}", post.Form["Body"], StringComparison.Ordinal);
        Assert.Contains("Jane S. cancelled Thu 26 Nov 02:00. By reception.", post.Form["Body"], StringComparison.Ordinal);
        Assert.Equal(Assert.Single(twilio.Messages).Sid, delivery.ProviderId);
        Assert.Equal(-1, await app.NetChargeAsync(delivery.Id));
        Assert.Equal(9, await app.SmsBalanceAsync());
        await app.AssertLedgerMatchesBalanceAsync();

        await using var db = await app.CreateDbContextAsync();
        var outbox = await db.Set<OutboxMessage>().SingleAsync(m => m.Channel == NoticeChannel.Sms);
        Assert.Equal(OutboxMessageState.Sent, outbox.State);
        Assert.Equal(post.Form["Body"], outbox.TextBody);
        Assert.Equal(delivery.ProviderId, outbox.ProviderId);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task A_transient_refusal_is_refunded_retried_later_and_charged_once_in_all(int status)
    {
        twilio.Enqueue(status == 429 ? StandInReply.TooManyRequests() : StandInReply.ServiceUnavailable());

        var delivery = await CancelAndDispatchAsync();
        Assert.Equal(DeliveryState.Retrying, delivery.State);
        Assert.NotNull(delivery.NextAttemptAtUtc);
        Assert.Equal(0, await app.NetChargeAsync(delivery.Id));

        app.Clock!.Advance(TimeSpan.FromMinutes(5));
        await app.DispatchAsync();

        delivery = await DeliveryAsync(delivery.Id);
        Assert.Equal(DeliveryState.Sent, delivery.State);
        Assert.Equal(2, delivery.Attempts.Count);
        Assert.Equal(2, twilio.MessagePosts.Count);
        Assert.Equal(-1, await app.NetChargeAsync(delivery.Id));
        await app.AssertLedgerMatchesBalanceAsync();
    }

    [Fact]
    public async Task A_429_goes_again_in_the_same_run_once_its_backoff_is_over_while_the_run_has_others_to_send()
    {
        await DisposeAsync();
        await StartAsync(timeoutSeconds: 10, parallelSends: 1);
        twilio.Enqueue(StandInReply.TooManyRequests());
        var appointments = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot.AddHours(i));
            await app.CancelAsAsync(Sam, appointment.Id);
            appointments.Add(appointment.Id);
        }

        // Each claim a minute after the one before on the app's clock: the refused SMS's backoff (30 s,
        // at most 36 s with its jitter) is over after the second claim, while the third still waits.
        app.Services.GetRequiredService<SmsNotices>().BeforeClaim = _ =>
        {
            app.Clock!.Advance(TimeSpan.FromMinutes(1));
            return Task.CompletedTask;
        };
        await app.DispatchAsync();

        var posts = twilio.MessagePosts.Select(p => p.Form["Body"]).ToList();
        Assert.Equal(4, posts.Count);
        Assert.Equal(posts[0], posts[2]);
        Assert.Equal(3, posts.Distinct().Count());
        foreach (var appointmentId in appointments)
        {
            var delivery = (await app.NoticeForAsync(appointmentId)).Deliveries.Single(d => d.Channel == NoticeChannel.Sms);
            Assert.Equal(DeliveryState.Sent, delivery.State);
            Assert.Equal(-1, await app.NetChargeAsync(delivery.Id));
        }

        Assert.Equal(3, twilio.Messages.Count);
        await app.AssertLedgerMatchesBalanceAsync();
    }

    [Fact]
    public async Task A_500_whose_message_was_kept_is_found_in_the_log_without_a_second_post()
    {
        twilio.Enqueue(StandInReply.ServerError(500, kept: true));

        var delivery = await CancelAndDispatchAsync();
        Assert.Equal(DeliveryState.Unknown, delivery.State);
        Assert.Equal(-1, await app.NetChargeAsync(delivery.Id));

        // The log also holds an older message with the same words and one with another delivery's reference.
        var kept = Assert.Single(twilio.Messages);
        var body = delivery.Attempts.Single().Body!;
        var now = app.Clock!.GetUtcNow().UtcDateTime;
        twilio.AddToLog(Mobile, body, now.AddDays(-3));
        twilio.AddToLog(Mobile, body[..^4] + (delivery.SmsReference == "AAAA" ? "CCCC" : "AAAA"), now);

        await app.DispatchAsync();

        delivery = await DeliveryAsync(delivery.Id);
        Assert.Equal(DeliveryState.Sent, delivery.State);
        Assert.Equal(kept.Sid, delivery.ProviderId);
        Assert.Single(twilio.MessagePosts);
        await using (var db = await app.CreateDbContextAsync())
        {
            Assert.Equal(kept.Sid, (await db.Set<OutboxMessage>().SingleAsync(m => m.Channel == NoticeChannel.Sms)).ProviderId);
        }

        Assert.Equal(-1, await app.NetChargeAsync(delivery.Id));
        await app.AssertLedgerMatchesBalanceAsync();
    }

    [Fact]
    public async Task A_500_whose_message_was_not_kept_is_sent_again_once_without_a_second_charge()
    {
        twilio.Enqueue(StandInReply.ServerError(500, kept: false));

        var delivery = await CancelAndDispatchAsync();
        Assert.Equal(DeliveryState.Unknown, delivery.State);

        await app.DispatchAsync();
        await app.DispatchAsync();

        delivery = await DeliveryAsync(delivery.Id);
        Assert.Equal(DeliveryState.Sent, delivery.State);
        Assert.Equal(2, twilio.MessagePosts.Count);
        Assert.Equal(twilio.MessagePosts[0].Form["Body"], twilio.MessagePosts[1].Form["Body"]);
        Assert.Equal(Assert.Single(twilio.Messages).Sid, delivery.ProviderId);
        Assert.Equal(-1, await app.NetChargeAsync(delivery.Id));
        await app.AssertLedgerMatchesBalanceAsync();
    }

    [Fact]
    public async Task A_500_then_a_definite_refusal_of_the_resend_refunds_the_original_charge()
    {
        twilio.Enqueue(StandInReply.ServerError(502, kept: false), StandInReply.Refused(400, 21617, "The concatenated message body exceeds the 1600 character limit."));

        var delivery = await CancelAndDispatchAsync();
        Assert.Equal(DeliveryState.Unknown, delivery.State);
        await app.DispatchAsync();

        delivery = await DeliveryAsync(delivery.Id);
        Assert.Equal(DeliveryState.Failed, delivery.State);
        Assert.Equal(2, twilio.MessagePosts.Count);
        Assert.Equal(0, await app.NetChargeAsync(delivery.Id));
        await app.AssertLedgerMatchesBalanceAsync();
    }

    [Fact]
    public async Task A_timeout_while_the_message_is_still_queued_is_reconciled_as_sent()
    {
        await DisposeAsync();
        await StartAsync(timeoutSeconds: 1);
        twilio.Enqueue(StandInReply.AcceptAfter(TimeSpan.FromSeconds(5)));

        var delivery = await CancelAndDispatchAsync();
        Assert.Equal(DeliveryState.Unknown, delivery.State);
        var queued = Assert.Single(twilio.Messages);
        Assert.Equal("queued", queued.Status);
        Assert.Null(queued.DateSentUtc);

        await app.DispatchAsync();

        delivery = await DeliveryAsync(delivery.Id);
        Assert.Equal(DeliveryState.Sent, delivery.State);
        Assert.Equal(queued.Sid, delivery.ProviderId);
        Assert.Single(twilio.MessagePosts);
        Assert.Equal(-1, await app.NetChargeAsync(delivery.Id));
    }

    [Fact]
    public async Task An_expired_sending_lease_becomes_unknown_and_is_reconciled_under_the_same_charge()
    {
        var delivery = await CancelAndDispatchAsync();
        Assert.Equal(DeliveryState.Sent, delivery.State);

        // Play the process dying after Twilio took it: the outcome was never recorded.
        await using (var db = await app.CreateDbContextAsync())
        {
            await db.Set<NoticeDelivery>().Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(set => set
                .SetProperty(d => d.State, DeliveryState.Sending)
                .SetProperty(d => d.ProviderId, (string?)null)
                .SetProperty(d => d.LeaseUntilUtc, NoticeTestKit.Now.AddMinutes(5)));
        }

        app.Clock!.Advance(TimeSpan.FromMinutes(6));
        await app.DispatchAsync();

        delivery = await DeliveryAsync(delivery.Id);
        Assert.Equal(DeliveryState.Sent, delivery.State);
        Assert.Equal(Assert.Single(twilio.Messages).Sid, delivery.ProviderId);
        Assert.Single(twilio.MessagePosts);
        Assert.Equal(-1, await app.NetChargeAsync(delivery.Id));
    }

    [Fact]
    public async Task An_invalid_number_fails_refunds_and_pauses_sms_until_the_number_is_saved_again()
    {
        twilio.Enqueue(StandInReply.NumberError(21211));

        var delivery = await CancelAndDispatchAsync();
        Assert.Equal(DeliveryState.Failed, delivery.State);
        Assert.Equal(0, await app.NetChargeAsync(delivery.Id));
        var priya = await app.PractitionerAsync(Priya);
        Assert.NotNull(priya.SmsPausedReason);

        // Paused: the next cancellation's SMS is skipped (uncharged) rather than sent.
        var paused = await CancelAndDispatchAsync(NoticeTestKit.NightSlot.AddHours(1), "Liam");
        Assert.Equal(DeliveryState.Skipped, paused.State);
        Assert.Equal(SmsNotices.SmsPaused, paused.Reason);
        Assert.Single(twilio.MessagePosts);

        // Saving the same number again resumes SMS.
        await using (var scope = await app.ScopeForAsync(Priya))
        {
            var myInfo = scope.ServiceProvider.GetRequiredService<MyInfoService>();
            var details = await myInfo.GetForEditingAsync(priya.UserId);
            Assert.Contains("Check your mobile number", details.SmsPausedReason, StringComparison.Ordinal);
            var saved = await myInfo.SaveAsync(new SaveMyInfo(priya.UserId, details.DisplayName, details.NotificationEmail, details.MobileE164, details.NotificationMethod, details.NotifyWithinDays));
            Assert.Empty(saved.Errors);
        }

        Assert.Null((await app.PractitionerAsync(Priya)).SmsPausedReason);
        var resumed = await CancelAndDispatchAsync(NoticeTestKit.NightSlot.AddHours(2), "Charlotte");
        Assert.Equal(DeliveryState.Sent, resumed.State);
        Assert.Equal(-1, await app.NetChargeAsync(resumed.Id));
        await app.AssertLedgerMatchesBalanceAsync();
    }

    [Fact]
    public async Task An_admins_resend_of_a_failed_sms_is_a_new_delivery_charged_once()
    {
        twilio.Enqueue(StandInReply.NumberError(21614));
        var failed = await CancelAndDispatchAsync();
        Assert.Equal(DeliveryState.Failed, failed.State);

        // The practitioner fixes the number (saving it resumes SMS); the admin resends from the Outbox.
        var priya = await app.PractitionerAsync(Priya);
        await using (var scope = await app.ScopeForAsync(Priya))
        {
            var myInfo = scope.ServiceProvider.GetRequiredService<MyInfoService>();
            var details = await myInfo.GetForEditingAsync(priya.UserId);
            Assert.Empty((await myInfo.SaveAsync(new SaveMyInfo(priya.UserId, details.DisplayName, details.NotificationEmail, "+61412345679", details.NotificationMethod, details.NotifyWithinDays))).Errors);
        }

        await using (var scope = await app.ScopeForAsync(Sam))
        {
            await Assert.ThrowsAsync<ClinicAuthorizationException>(() => scope.ServiceProvider.GetRequiredService<DeliveryResend>().ResendAsync(failed.Id));
        }

        await using (var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email))
        {
            var history = scope.ServiceProvider.GetRequiredService<DeliveryResend>();
            var first = await history.ResendAsync(failed.Id);
            Assert.True(first.Succeeded, first.Error);
            Assert.Equal("It has already been resent.", (await history.ResendAsync(failed.Id)).Error);
        }

        await app.DispatchAsync();
        NoticeDelivery resend;
        await using (var db = await app.CreateDbContextAsync())
        {
            resend = await db.Set<NoticeDelivery>().AsNoTracking().SingleAsync(d => d.ResendOfDeliveryId == failed.Id);
        }

        Assert.Equal(NoticeChannel.Sms, resend.Channel);
        Assert.Equal(DeliveryState.Sent, resend.State);
        Assert.Equal(DeliveryState.Failed, (await DeliveryAsync(failed.Id)).State);
        Assert.Equal(0, await app.NetChargeAsync(failed.Id));
        Assert.Equal(-1, await app.NetChargeAsync(resend.Id));
        Assert.Equal("+61412345679", twilio.MessagePosts[^1].Form["To"]);
        await app.AssertLedgerMatchesBalanceAsync();
    }

    [Fact]
    public async Task An_account_problem_refunds_holds_the_delivery_and_sends_it_once_when_fixed()
    {
        twilio.Enqueue(StandInReply.AccountError(20003));

        var delivery = await CancelAndDispatchAsync();
        Assert.Equal(DeliveryState.Retrying, delivery.State);
        Assert.Equal(HoldCode.SmsSettings, delivery.WaitingFor);
        Assert.Equal(0, await app.NetChargeAsync(delivery.Id));
        Assert.Contains("SMS is not going out", await SmsSettingsProblemAsync(), StringComparison.Ordinal);

        app.Clock!.Advance(TimeSpan.FromMinutes(5));
        await app.DispatchAsync();

        delivery = await DeliveryAsync(delivery.Id);
        Assert.Equal(DeliveryState.Sent, delivery.State);
        Assert.Single(twilio.Messages);
        Assert.Equal(-1, await app.NetChargeAsync(delivery.Id));
        Assert.Null(await SmsSettingsProblemAsync());
        await app.AssertLedgerMatchesBalanceAsync();
    }

    private async Task<string?> SmsSettingsProblemAsync()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        return await scope.ServiceProvider.GetRequiredService<NoticeHistory>().GetSmsSettingsProblemAsync();
    }

    [Fact]
    public async Task With_no_credits_the_sms_is_skipped_and_the_notice_falls_back_to_email()
    {
        await app.SetSmsBalanceAsync(0);

        var delivery = await CancelAndDispatchAsync();

        Assert.Equal(DeliveryState.Skipped, delivery.State);
        Assert.Equal(SmsNotices.NoSmsCredits, delivery.Reason);
        Assert.Empty(twilio.MessagePosts);
        Assert.Equal(0, await app.NetChargeAsync(delivery.Id));
        var notice = await app.NoticeForAsync((await NoticeOfAsync(delivery.Id)).AppointmentId);
        var email = notice.Email();
        Assert.Equal(DeliveryState.Sent, email.State);
        Assert.Equal(0, await app.SmsBalanceAsync());
    }

    [Fact]
    public async Task With_under_a_minute_left_the_sms_is_skipped_uncharged()
    {
        var delivery = await CancelAndDispatchAsync(NoticeTestKit.Now.AddSeconds(50));

        Assert.Equal(DeliveryState.Skipped, delivery.State);
        Assert.Equal(SmsNotices.AppointmentAboutToStart, delivery.Reason);
        Assert.Empty(twilio.MessagePosts);
        Assert.Equal(0, await app.NetChargeAsync(delivery.Id));
    }

    [Fact]
    public async Task Status_callbacks_mark_delivered_or_undelivered_and_repeats_are_harmless()
    {
        var delivery = await CancelAndDispatchAsync();
        await ReportAsync(delivery.ProviderId!, "undelivered", "30003");
        await ReportAsync(delivery.ProviderId!, "undelivered", "30003");

        delivery = await DeliveryAsync(delivery.Id);
        Assert.Equal(DeliveryState.Undelivered, delivery.State);
        Assert.Contains("30003", delivery.Reason, StringComparison.Ordinal);
        Assert.Contains("30003", delivery.Attempts.Single().Error, StringComparison.Ordinal);
        Assert.Equal(-1, await app.NetChargeAsync(delivery.Id));
    }

    [Fact]
    public async Task Sms_status_only_moves_forward_delivered_undelivered_and_failed_are_final()
    {
        // delivered → undelivered → delivered: the first final report stands.
        var first = await CancelAndDispatchAsync();
        await ReportAsync(first.ProviderId!, "sent", null);
        await ReportAsync(first.ProviderId!, "delivered", null);
        await ReportAsync(first.ProviderId!, "undelivered", "30005");
        await ReportAsync(first.ProviderId!, "delivered", null);
        first = await DeliveryAsync(first.Id);
        Assert.Equal(DeliveryState.Delivered, first.State);
        Assert.Null(first.Reason);
        Assert.Null(first.Attempts.Single().Error);

        // undelivered (or failed) → delivered: never back to Delivered, the error stays.
        var second = await CancelAndDispatchAsync(NoticeTestKit.NightSlot.AddHours(3), "Liam");
        await ReportAsync(second.ProviderId!, "failed", "30008");
        await ReportAsync(second.ProviderId!, "delivered", null);
        await ReportAsync(second.ProviderId!, "undelivered", "30003");
        second = await DeliveryAsync(second.Id);
        Assert.Equal(DeliveryState.Undelivered, second.State);
        Assert.Contains("30008", second.Reason, StringComparison.Ordinal);
    }

    private async Task ReportAsync(string sid, string status, string? errorCode)
    {
        await using var scope = app.AnonymousScope();
        await scope.ServiceProvider.GetRequiredService<ISmsStatusSink>().RecordStatusAsync(sid, status, errorCode);
    }

    [Fact]
    public async Task Reinstating_after_the_sms_went_sends_a_charged_follow_up()
    {
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);
        await app.CancelAsAsync(Sam, appointment.Id);
        await app.DispatchAsync();
        await app.ReinstateAsAsync(Sam, appointment.Id);
        await app.DispatchAsync();

        var notice = await app.NoticeForAsync(appointment.Id);
        var followUp = notice.Deliveries.Single(d => d.Channel == NoticeChannel.Sms && d.Kind == DeliveryKind.Reinstatement);
        Assert.Equal(DeliveryState.Sent, followUp.State);
        Assert.Equal(2, twilio.MessagePosts.Count);
        Assert.Contains("is back on", twilio.MessagePosts[1].Form["Body"], StringComparison.Ordinal);
        Assert.Equal(-1, await app.NetChargeAsync(followUp.Id));
    }

    [Fact]
    public async Task Reinstating_before_the_sms_went_drops_it_uncharged()
    {
        await app.DisposeAsync();
        app = NoticeTestKit.NewApp(batchWindowSeconds: 60, provider: provider);
        app.WithTwilio(twilio);

        _ = app.ServerAddress;
        await app.SetNoticesAsync(Priya, NotificationMethod.Sms, mobile: Mobile);
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);
        await app.CancelAsAsync(Sam, appointment.Id);
        await app.ReinstateAsAsync(Sam, appointment.Id);
        app.Clock!.Advance(TimeSpan.FromMinutes(2));
        await app.DispatchAsync();

        var sms = (await app.NoticeForAsync(appointment.Id)).Deliveries.Single(d => d.Channel == NoticeChannel.Sms);
        Assert.Equal(DeliveryState.Dropped, sms.State);
        Assert.Empty(twilio.MessagePosts);
        Assert.Equal(0, await app.NetChargeAsync(sms.Id));
    }

    [Fact]
    public async Task A_test_sms_is_sent_for_one_credit_and_refunded_when_refused()
    {
        var priya = await app.PractitionerAsync(Priya);
        await using (var scope = await app.ScopeForAsync(Priya))
        {
            var notices = scope.ServiceProvider.GetRequiredService<TestNotifications>();
            var sent = await notices.SendTestAsync(priya.UserId);
            Assert.True(sent.Succeeded, sent.Error);
            Assert.Contains("one SMS credit", sent.Value, StringComparison.Ordinal);
            Assert.Equal(9, await app.SmsBalanceAsync());

            app.Clock!.Advance(TestNotifications.MinimumInterval);
            twilio.Enqueue(StandInReply.NumberError(21614, "not a mobile number"));
            var refused = await notices.SendTestAsync(priya.UserId);
            Assert.False(refused.Succeeded);
            Assert.Equal(9, await app.SmsBalanceAsync());
        }

        var post = twilio.MessagePosts[0];
        Assert.Equal(Mobile, post.Form["To"]);
        Assert.Contains("Test SMS", post.Form["Body"], StringComparison.Ordinal);
        await app.AssertLedgerMatchesBalanceAsync();
    }

    [Fact]
    public async Task A_test_notification_on_sms_and_email_sends_both_and_the_email_still_goes_without_credits()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.SmsAndEmail, mobile: Mobile);
        var priya = await app.PractitionerAsync(Priya);
        await using (var scope = await app.ScopeForAsync(Priya))
        {
            var notices = scope.ServiceProvider.GetRequiredService<TestNotifications>();
            var both = await notices.SendTestAsync(priya.UserId);
            Assert.True(both.Succeeded, both.Error);
            Assert.Contains($"Test email sent to {priya.NotificationEmail}.", both.Value, StringComparison.Ordinal);
            Assert.Contains($"Test SMS sent to {Mobile} (one SMS credit).", both.Value, StringComparison.Ordinal);
            Assert.Equal(9, await app.SmsBalanceAsync());

            await app.SetSmsBalanceAsync(0);
            app.Clock!.Advance(TestNotifications.MinimumInterval);
            var emailOnly = await notices.SendTestAsync(priya.UserId);
            Assert.False(emailOnly.Succeeded);
            Assert.Contains("Test email sent to", emailOnly.Error, StringComparison.Ordinal);
            Assert.Contains("no SMS credits left", emailOnly.Error, StringComparison.Ordinal);
        }

        var post = Assert.Single(twilio.MessagePosts);
        Assert.Equal(Mobile, post.Form["To"]);
        await using var db = await app.CreateDbContextAsync();
        var tests = await db.Set<OutboxMessage>().Where(m => m.Kind == "Test notification").OrderBy(m => m.Id).ToListAsync();
        Assert.Equal([(NoticeChannel.Email, OutboxMessageState.Sent), (NoticeChannel.Sms, OutboxMessageState.Sent), (NoticeChannel.Email, OutboxMessageState.Sent)],
            tests.Select(m => (m.Channel, m.State)));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(app.DataDirectory, "outbox"), "*.eml").Length);
        await app.AssertLedgerMatchesBalanceAsync();
    }

    private async Task<NoticeDelivery> CancelAndDispatchAsync(DateTime? startUtc = null, string patient = "Jane")
    {
        var appointment = await app.AddAppointmentAsync(Priya, startUtc ?? NoticeTestKit.NightSlot, patient);
        await app.CancelAsAsync(Sam, appointment.Id);
        await app.DispatchAsync();
        var notice = await app.NoticeForAsync(appointment.Id);
        return notice.Deliveries.Single(d => d.Channel == NoticeChannel.Sms && d.Kind == DeliveryKind.Cancellation);
    }

    private async Task<NoticeDelivery> DeliveryAsync(int id)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<NoticeDelivery>().AsNoTracking().Include(d => d.Attempts).SingleAsync(d => d.Id == id);
    }

    private async Task<CancellationNotice> NoticeOfAsync(int deliveryId)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<NoticeDelivery>().AsNoTracking().Where(d => d.Id == deliveryId).Select(d => d.Notice!).SingleAsync();
    }
}
