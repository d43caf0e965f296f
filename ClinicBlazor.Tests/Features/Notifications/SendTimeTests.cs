using System.Globalization;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Tests.Features.Notifications;

/// <summary>
/// When a message is recorded as sent: at the end of its own send on the app's clock, not at the start
/// of its run. The mail server (a relay in front of maildev) moves the fake clock on as it takes each message.
/// </summary>
public sealed class SendTimeTests : IClassFixture<MaildevServer>, IAsyncLifetime
{
    private static readonly TimeSpan EachSend = TimeSpan.FromSeconds(7);

    private readonly MaildevServer maildev;
    private readonly TimestampingSmtpRelay relay;
    private readonly ClinicAppFactory app;

    public SendTimeTests(MaildevServer maildev)
    {
        this.maildev = maildev;
        app = NoticeTestKit.NewApp(maildev);
        var clock = app.Clock!;
        relay = new TimestampingSmtpRelay("127.0.0.1", maildev.SmtpPort) { Accepting = () => clock.Advance(EachSend) };
        app.With("Notifications:Email:Smtp:Port", relay.Port.ToString(CultureInfo.InvariantCulture));
    }

    private static string Priya => DemoSignIns.Practitioner.Email;
    private static string Tom => DemoSignIns.SecondPractitioner.Email;

    public async Task InitializeAsync()
    {
        await app.StartWithAsync(maildev);
        await app.SetNoticesAsync(Priya, NotificationMethod.Email);
        await app.SetNoticesAsync(Tom, NotificationMethod.Email);
        await app.TellPatientsAsync(byEmail: false);
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await relay.DisposeAsync();
    }

    [Fact]
    public async Task Each_sent_email_is_recorded_at_the_end_of_its_own_send()
    {
        var priyas = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);
        var toms = await app.AddAppointmentAsync(Tom, NoticeTestKit.NightSlot, "Liam");
        await app.CancelAsAsync(DemoSignIns.Receptionist.Email, priyas.Id);
        await app.CancelAsAsync(DemoSignIns.Receptionist.Email, toms.Id);
        app.Clock!.Advance(TimeSpan.FromSeconds(60));
        var runAt = app.Clock.GetUtcNow().UtcDateTime;

        Assert.Equal(2, (await app.DispatchAsync()).EmailsSent);

        // One run sends Priya's email (the older delivery) first, then Tom's, each taking one EachSend.
        foreach (var (appointmentId, sentAt) in new[] { (priyas.Id, runAt + EachSend), (toms.Id, runAt + (2 * EachSend)) })
        {
            var delivery = (await app.NoticeForAsync(appointmentId)).Email();
            var attempt = Assert.Single(delivery.Attempts);
            Assert.Equal((DeliveryState.Sent, sentAt), (delivery.State, delivery.SentAtUtc));
            Assert.Equal((runAt, sentAt), (attempt.StartedAtUtc, attempt.FinishedAtUtc));
            await using var db = await app.CreateDbContextAsync();
            var outbox = await db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Id == attempt.OutboxMessageId);
            Assert.Equal((OutboxMessageState.Sent, runAt, sentAt), (outbox.State, outbox.CreatedAtUtc, outbox.SentAtUtc));
        }
    }
}
