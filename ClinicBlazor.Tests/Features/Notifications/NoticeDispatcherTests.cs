using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Tests.Features.Notifications;

/// <summary>Batching, Undo, retries and leases: the dispatcher driven directly on a fake clock, sending to a real SMTP server.</summary>
public class NoticeDispatcherTests : IClassFixture<MaildevServer>, IAsyncLifetime
{
    private readonly MaildevServer maildev;
    private readonly ClinicAppFactory app;

    public NoticeDispatcherTests(MaildevServer maildev)
        : this(maildev, DatabaseProvider.Sqlite)
    {
    }

    protected NoticeDispatcherTests(MaildevServer maildev, DatabaseProvider provider) =>
        (this.maildev, app) = (maildev, NoticeTestKit.NewApp(maildev, provider: provider));

    private static string Priya => DemoSignIns.Practitioner.Email;
    private static string Tom => DemoSignIns.SecondPractitioner.Email;
    private static string Sam => DemoSignIns.Receptionist.Email;

    public async Task InitializeAsync()
    {
        await app.StartWithAsync(maildev);
        await app.SetNoticesAsync(Priya, NotificationMethod.Email);
        await app.TellPatientsAsync(byEmail: false); // the practitioner's notices only: no patient email beside them
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_practitioners_cancellations_go_as_one_digest_a_window_after_the_oldest()
    {
        var jane = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot, "Jane");
        var liam = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot.AddHours(1), "Liam");
        var charlotte = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot.AddHours(2), "Charlotte");
        var noah = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot.AddHours(3), "Noah");

        await app.CancelAsAsync(Sam, jane.Id, CancellationReason.Sick);
        app.Clock!.Advance(TimeSpan.FromSeconds(20));
        await app.CancelAsAsync(Sam, liam.Id);
        app.Clock.Advance(TimeSpan.FromSeconds(20));
        await app.CancelAsAsync(Sam, charlotte.Id);

        app.Clock.Advance(TimeSpan.FromSeconds(19)); // t+59
        await app.DispatchAsync();
        Assert.Empty(await maildev.GetEmailsAsync());

        app.Clock.Advance(TimeSpan.FromSeconds(1)); // t+60
        await app.DispatchAsync();
        var first = Assert.Single(await maildev.WaitForEmailsAsync(1));
        Assert.Equal("3 appointments cancelled", first.Subject);
        Assert.Equal(Priya, first.ToAddress);
        foreach (var name in new[] { "Jane Smith", "Liam Brown", "Charlotte Wilson" })
        {
            Assert.Contains(name, first.Text);
            Assert.Contains(name, first.Html);
        }

        Assert.Contains("Thu 26 Nov 02:00", first.Text);
        Assert.Contains("/calendar?view=day&amp;date=2026-11-26", first.Html);

        app.Clock.Advance(TimeSpan.FromSeconds(10)); // t+70
        await app.CancelAsAsync(Sam, noah.Id);
        app.Clock.Advance(TimeSpan.FromSeconds(59)); // t+129
        await app.DispatchAsync();
        Assert.Single(await maildev.GetEmailsAsync());

        app.Clock.Advance(TimeSpan.FromSeconds(1)); // t+130
        await app.DispatchAsync();
        var emails = await maildev.WaitForEmailsAsync(2);
        Assert.Equal(2, emails.Count);
        Assert.Contains(emails, e => e.Subject == "Cancelled: Noah Taylor, Thu 26 Nov 05:00");
        Assert.Equal(DeliveryState.Sent, (await app.NoticeForAsync(jane.Id)).Email().State);
    }

    [Fact]
    public async Task Two_practitioners_get_an_email_each()
    {
        await CancelOneEachForPriyaAndTomAsync();
        app.Clock!.Advance(TimeSpan.FromSeconds(60));
        await app.DispatchAsync();

        var emails = await maildev.WaitForEmailsAsync(2);
        Assert.Equal(2, emails.Count);
        Assert.Contains(emails, e => e.ToAddress == Priya && e.Subject == "Cancelled: Jane Smith, Thu 26 Nov 02:00");
        Assert.Contains(emails, e => e.ToAddress == Tom && e.Subject == "Cancelled: Liam Brown, Thu 26 Nov 02:00");
    }

    [Fact]
    public async Task The_outbox_keeps_each_sent_email_as_sent_and_the_runs_connection_is_given_back_as_it_was()
    {
        await CancelOneEachForPriyaAndTomAsync();
        app.Clock!.Advance(TimeSpan.FromSeconds(60));
        var now = app.Clock.GetUtcNow().UtcDateTime;

        Assert.Equal(2, (await app.DispatchAsync()).EmailsSent);

        var emails = await maildev.WaitForEmailsAsync(2);
        await using var db = await app.CreateDbContextAsync();
        var rows = await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Kind == "Cancellation notice").OrderBy(m => m.Id).ToListAsync();
        Assert.Equal(2, rows.Count);
        foreach (var (row, email) in new[] { (rows[0], Priya), (rows[1], Tom) })
        {
            var received = Assert.Single(emails, e => e.ToAddress == email);
            Assert.Equal(email, row.To);
            Assert.Equal(NoticeChannel.Email, row.Channel);
            Assert.Equal(OutboxMessageState.Sent, row.State);
            Assert.Equal(now, row.CreatedAtUtc);
            Assert.Equal(now, row.SentAtUtc);
            Assert.Equal(received.Subject, row.Subject);
            Assert.Contains("Cancelled by", row.TextBody);
            Assert.Contains("<p>", row.HtmlBody);
            Assert.False(string.IsNullOrEmpty(row.ProviderId));
            Assert.Null(row.Error);
            Assert.Equal(await db.Set<Practitioner>().Where(p => p.NotificationEmail == email).Select(p => (int?)p.Id).SingleAsync(), row.PractitionerId);
            var attempt = await db.Set<DeliveryAttempt>().AsNoTracking().SingleAsync(a => a.OutboxMessageId == row.Id);
            Assert.Equal(AttemptOutcome.Sent, attempt.Outcome);
        }

        // On SQLite the run checkpoints in bigger steps on its own connection; pooled, that connection comes back with SQLite's default.
        if (app.Provider == DatabaseProvider.Sqlite)
        {
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_autocheckpoint;";
            Assert.Equal(1000L, await command.ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task Undo_inside_the_window_drops_the_delivery_and_sends_nothing()
    {
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);
        await app.CancelAsAsync(Sam, appointment.Id);
        app.Clock!.Advance(TimeSpan.FromSeconds(10));

        await app.ReinstateAsAsync(Sam, appointment.Id);
        app.Clock.Advance(TimeSpan.FromSeconds(60));
        var result = await app.DispatchAsync();

        Assert.Equal(0, result.EmailsSent);
        Assert.Equal(DeliveryState.Dropped, (await app.NoticeForAsync(appointment.Id)).Email().State);
        await Task.Delay(300);
        Assert.Empty(await maildev.GetEmailsAsync());
    }

    [Fact]
    public async Task Reinstating_after_the_email_went_sends_a_follow_up()
    {
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);
        await app.CancelAsAsync(Sam, appointment.Id);
        app.Clock!.Advance(TimeSpan.FromSeconds(60));
        await app.DispatchAsync();
        Assert.Single(await maildev.WaitForEmailsAsync(1));
        await app.ReinstateAsAsync(Sam, appointment.Id);
        await app.DispatchAsync();

        var emails = await maildev.WaitForEmailsAsync(2);
        Assert.Equal(2, emails.Count);
        Assert.Contains(emails, e => e.Subject == "Reinstated: Jane Smith, Thu 26 Nov 02:00 is back on" && e.ToAddress == Priya);
        var notice = await app.NoticeForAsync(appointment.Id);
        Assert.Equal(DeliveryState.Sent, notice.Email().State);
        Assert.Equal(DeliveryState.Sent, notice.Email(DeliveryKind.Reinstatement).State);
    }

    [Fact]
    public async Task Mail_server_down_means_retrying_with_attempts_then_delivered_exactly_once()
    {
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);
        await app.CancelAsAsync(Sam, appointment.Id, CancellationReason.Away);
        await maildev.StopAsync();

        app.Clock!.Advance(TimeSpan.FromSeconds(60));
        await app.DispatchAsync();

        var retrying = (await app.NoticeForAsync(appointment.Id)).Email();
        Assert.Equal(DeliveryState.Retrying, retrying.State);
        Assert.True(retrying.AttemptCount >= 1);
        Assert.Equal(retrying.AttemptCount, retrying.Attempts.Count);
        Assert.All(retrying.Attempts, a => Assert.Equal(AttemptOutcome.Transient, a.Outcome));
        Assert.NotNull(retrying.Attempts[0].Error);
        Assert.True(retrying.NextAttemptAtUtc > app.Clock.GetUtcNow().UtcDateTime);

        await maildev.StartAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        await app.DispatchAsync();
        app.Clock.Advance(TimeSpan.FromHours(1));
        await app.DispatchAsync();

        var email = Assert.Single(await maildev.WaitForEmailsAsync(1));
        Assert.Contains("Away", email.Text);
        await Task.Delay(300);
        Assert.Single(await maildev.GetEmailsAsync());
        var sent = (await app.NoticeForAsync(appointment.Id)).Email();
        Assert.Equal(DeliveryState.Sent, sent.State);
        Assert.Equal(AttemptOutcome.Sent, sent.Attempts.OrderBy(a => a.Id).Last().Outcome);
    }

    [Fact]
    public async Task A_mail_server_down_for_a_day_means_failed_gave_up_after_a_day_and_nothing_sent_later()
    {
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);
        await app.CancelAsAsync(Sam, appointment.Id, CancellationReason.Away);
        var cancelledAt = app.Clock!.GetUtcNow().UtcDateTime;
        await maildev.StopAsync();

        // Each run finds the server down; the clock jumps to the next attempt the dispatcher chose.
        app.Clock.Advance(TimeSpan.FromSeconds(60));
        await app.DispatchAsync();
        var runs = 1;
        var email = (await app.NoticeForAsync(appointment.Id)).Email();
        while (email.State == DeliveryState.Retrying && runs < 200)
        {
            app.Clock.Advance((email.NextAttemptAtUtc!.Value - app.Clock.GetUtcNow().UtcDateTime) + TimeSpan.FromSeconds(1));
            await app.DispatchAsync();
            runs++;
            email = (await app.NoticeForAsync(appointment.Id)).Email();
        }

        Assert.Equal(DeliveryState.Failed, email.State);
        Assert.Equal("gave up after a day", email.Reason);
        Assert.True(runs > 5, $"only {runs} runs before giving up");
        Assert.Equal(runs, email.Attempts.Count);
        Assert.All(email.Attempts, attempt => Assert.Equal(AttemptOutcome.Transient, attempt.Outcome));
        Assert.All(email.Attempts, attempt => Assert.True(attempt.StartedAtUtc <= cancelledAt.AddHours(24)));

        // The server comes back: a given-up delivery stays given up.
        await maildev.StartAsync();
        app.Clock.Advance(TimeSpan.FromHours(1));
        await app.DispatchAsync();
        await Task.Delay(300);
        Assert.Empty(await maildev.GetEmailsAsync());
        Assert.Equal(DeliveryState.Failed, (await app.NoticeForAsync(appointment.Id)).Email().State);
    }

    [Fact]
    public async Task A_delivery_left_sending_with_an_expired_lease_is_sent_on_the_next_run()
    {
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);
        await app.CancelAsAsync(Sam, appointment.Id);
        await using (var db = await app.CreateDbContextAsync())
        {
            // As if the process died after claiming it: Sending, leased, one attempt in progress.
            var delivery = await db.Set<NoticeDelivery>().SingleAsync(d => d.Notice!.AppointmentId == appointment.Id);
            delivery.State = DeliveryState.Sending;
            delivery.AttemptCount = 1;
            delivery.LeaseUntilUtc = NoticeTestKit.Now.AddSeconds(30);
            delivery.Attempts.Add(new DeliveryAttempt { StartedAtUtc = NoticeTestKit.Now, Outcome = AttemptOutcome.InProgress });
            await db.SaveChangesAsync();
        }

        app.Clock!.Advance(TimeSpan.FromSeconds(20));
        await app.DispatchAsync();
        Assert.Empty(await maildev.GetEmailsAsync());

        app.Clock.Advance(TimeSpan.FromSeconds(20));
        await app.DispatchAsync();

        Assert.Single(await maildev.WaitForEmailsAsync(1));
        var sent = (await app.NoticeForAsync(appointment.Id)).Email();
        Assert.Equal(DeliveryState.Sent, sent.State);
        Assert.Equal(2, sent.AttemptCount);
    }

    /// <summary>Both on email; Jane Smith's appointment with Priya and Liam Brown's with Tom cancelled by reception.</summary>
    private async Task CancelOneEachForPriyaAndTomAsync()
    {
        await app.SetNoticesAsync(Tom, NotificationMethod.Email);
        var priyas = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);
        var toms = await app.AddAppointmentAsync(Tom, NoticeTestKit.NightSlot, "Liam");
        await app.CancelAsAsync(Sam, priyas.Id);
        await app.CancelAsAsync(Sam, toms.Id);
    }
}
