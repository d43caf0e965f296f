using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Notifications.Sms;

/// <summary>
/// Two SMS deliveries racing for the last credit through the real dispatcher: its concurrent SMS
/// sends, held just before their claim transactions and released together, against the Twilio
/// stand-in, with the loser's fallback email written by the pickup-folder sender (a real SMTP
/// server adds a tenth of a second per round here, for nothing this test is about).
/// </summary>
public class SmsCreditRaceTests : IAsyncLifetime
{
    private const int Rounds = 200;
    private readonly TwilioStandIn twilio = new();
    private readonly DatabaseProvider provider;
    private ClinicAppFactory app = null!;
    private StartingLine startingLine = new();

    private static string Priya => DemoSignIns.Practitioner.Email;
    private static string Tom => DemoSignIns.SecondPractitioner.Email;

    public SmsCreditRaceTests()
        : this(DatabaseProvider.Sqlite)
    {
    }

    protected SmsCreditRaceTests(DatabaseProvider provider) => this.provider = provider;

    public async Task InitializeAsync()
    {
        await twilio.InitializeAsync();
        // A batch window on a fake clock: both notices become due at the same instant, when the test
        // moves the clock, so no run (the test's or the app's own Quartz one) can see only one of them.
        app = NoticeTestKit.NewApp(batchWindowSeconds: 60, provider: provider);
        app.WithTwilio(twilio);

        _ = app.ServerAddress;
        await app.SetNoticesAsync(Priya, NotificationMethod.Sms, mobile: "+61412345678");
        await app.SetNoticesAsync(Tom, NotificationMethod.Sms, mobile: "+61412345679");
        await app.TellPatientsAsync(byEmail: false); // the practitioner's notices only: no patient email beside them
        await app.SetSmsBalanceAsync(0);
        app.Services.GetRequiredService<SmsNotices>().BeforeClaim = token => startingLine.ArriveAsync(token);
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await twilio.DisposeAsync();
    }

    [Fact]
    public async Task Two_deliveries_racing_for_the_last_credit_one_is_sent_and_charged_the_other_skipped_and_emailed_every_round()
    {
        await using var admin = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        await using var reception = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var credits = admin.ServiceProvider.GetRequiredService<SmsCreditService>();
        var appointments = reception.ServiceProvider.GetRequiredService<AppointmentService>();
        var pickup = Path.Combine(app.DataDirectory, "outbox");
        // The low-balance alert is an email too: off here, so every email is a fallback.
        Assert.True((await credits.SetLowBalanceThresholdAsync(0)).Succeeded);

        for (var round = 0; round < Rounds; round++)
        {
            Assert.Equal(1, (await credits.TopUpAsync(1, $"Round {round}")).Value);
            var start = NoticeTestKit.NightSlot.AddMinutes(15 * round);
            var forPriya = await app.AddAppointmentAsync(Priya, start, "Jane");
            var forTom = await app.AddAppointmentAsync(Tom, start, "Liam");
            Assert.True((await appointments.CancelAsync(new CancelAppointment(forPriya.Id))).Succeeded);
            Assert.True((await appointments.CancelAsync(new CancelAppointment(forTom.Id))).Succeeded);

            startingLine = new StartingLine();
            app.Clock!.Advance(TimeSpan.FromSeconds(61));
            await app.DispatchAsync();

            Assert.Equal(2, startingLine.Arrived);
            var notices = new[] { await app.NoticeForAsync(forPriya.Id), await app.NoticeForAsync(forTom.Id) };
            var sentNotice = Assert.Single(notices, n => Sms(n).State == DeliveryState.Sent);
            var skippedNotice = Assert.Single(notices, n => Sms(n).State == DeliveryState.Skipped);

            var sent = Sms(sentNotice);
            Assert.Equal(-1, await app.NetChargeAsync(sent.Id));
            Assert.Equal(1, await ChargesAsync(sent.Id));
            Assert.DoesNotContain(sentNotice.Deliveries, d => d.Channel == NoticeChannel.Email);

            var skipped = Sms(skippedNotice);
            Assert.Equal(SmsNotices.NoSmsCredits, skipped.Reason);
            Assert.Empty(skipped.Attempts);
            Assert.Equal(0, await ChargesAsync(skipped.Id));
            var fallback = skippedNotice.Email();
            Assert.Equal(DeliveryState.Sent, fallback.State);
            Assert.NotNull(fallback.ProviderId);
            Assert.Equal(round + 1, Directory.GetFiles(pickup, "*.eml").Length);

            Assert.Equal(round + 1, twilio.MessagePosts.Count);
            Assert.Equal(0, await app.SmsBalanceAsync());
            await app.AssertLedgerMatchesBalanceAsync();
        }

        // Every email written is a practitioner's fallback notice.
        var recipients = Directory.GetFiles(pickup, "*.eml")
            .Select(file => File.ReadLines(file).First(line => line.StartsWith("To:", StringComparison.Ordinal)))
            .ToList();
        Assert.Equal(Rounds, recipients.Count(to => to.Contains(Priya, StringComparison.Ordinal) || to.Contains(Tom, StringComparison.Ordinal)));
    }

    private static NoticeDelivery Sms(CancellationNotice notice) =>
        notice.Deliveries.Single(d => d.Channel == NoticeChannel.Sms && d.Kind == DeliveryKind.Cancellation);

    private async Task<int> ChargesAsync(int deliveryId)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<SmsCreditLedgerEntry>().CountAsync(e => e.DeliveryId == deliveryId && e.Kind == SmsCreditKind.Charge);
    }

    /// <summary>Holds each SMS send until both have arrived, then lets them go at once.</summary>
    private sealed class StartingLine
    {
        private readonly TaskCompletionSource bothThere = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int arrived;

        public int Arrived => Volatile.Read(ref arrived);

        public async Task ArriveAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref arrived) == 2)
            {
                bothThere.SetResult();
            }

            // Not a timing assertion: a send left alone here (the other never came) fails the round instead of hanging.
            await bothThere.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
    }
}
