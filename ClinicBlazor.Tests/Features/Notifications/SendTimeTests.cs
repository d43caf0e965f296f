using System.Collections.Concurrent;
using System.Globalization;
using ClinicBlazor.Data;
using ClinicBlazor.Data.PostgreSql;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Notifications;

/// <summary>
/// When a message is recorded as sent: at the end of its own send on the app's clock, not at the start
/// of its run. The mail server (a relay in front of maildev) moves the fake clock on as it takes each message.
/// </summary>
public class SendTimeTests : IClassFixture<MaildevServer>, IAsyncLifetime
{
    private const string JanesEmail = "jane.smith@patients.example";
    private static readonly TimeSpan EachSend = TimeSpan.FromSeconds(7);

    private readonly MaildevServer maildev;
    private readonly TimestampingSmtpRelay relay;
    private readonly ClinicAppFactory app;
    private readonly OutboxSaves saves = new();

    /// <summary>What else happens while the relay takes a message (another node's write).</summary>
    private Action? meanwhile;

    public SendTimeTests(MaildevServer maildev)
        : this(maildev, DatabaseProvider.Sqlite)
    {
    }

    protected SendTimeTests(MaildevServer maildev, DatabaseProvider provider)
    {
        this.maildev = maildev;
        app = NoticeTestKit.NewApp(maildev, provider: provider);
        var clock = app.Clock!;
        relay = new TimestampingSmtpRelay("127.0.0.1", maildev.SmtpPort)
        {
            Accepting = () =>
            {
                clock.Advance(EachSend);
                meanwhile?.Invoke();
            },
        };
        app.With("Notifications:Email:Smtp:Port", relay.Port.ToString(CultureInfo.InvariantCulture));
        app.ConfigureServices = services => _ = provider == DatabaseProvider.PostgreSql
            ? services.ConfigureDbContext<PostgreSqlClinicDbContext>(options => options.AddInterceptors(saves))
            : services.ConfigureDbContext<ClinicDbContext>(options => options.AddInterceptors(saves));
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

    [Fact]
    public async Task A_queued_patient_email_is_recorded_sent_at_the_end_of_its_own_send_by_one_statement()
    {
        var janes = await QueuePatientEmailAsync();
        var runAt = app.Clock!.GetUtcNow().UtcDateTime;

        await app.DispatchAsync();

        Assert.Equal(JanesEmail, Assert.Single(await maildev.WaitForEmailsAsync(1)).ToAddress);
        var sent = await OutboxRowAsync(janes);
        Assert.Equal((OutboxMessageState.Sent, runAt + EachSend, null, null, 1), (sent.State, sent.SentAtUtc, sent.LeaseUntilUtc, sent.Error, sent.AttemptCount));
        Assert.False(string.IsNullOrEmpty(sent.ProviderId));

        // Recorded by the one statement: no EF save ever wrote it Sent (EF's record would have).
        Assert.DoesNotContain(janes, saves.SavedSent);
    }

    [Fact]
    public async Task A_queued_email_another_node_recorded_while_it_was_being_sent_is_left_as_that_node_left_it()
    {
        var janes = await QueuePatientEmailAsync();
        var otherNodeSentAt = app.Clock!.GetUtcNow().UtcDateTime.AddSeconds(1);
        meanwhile = () =>
        {
            // The lease ran out mid-send: another node took it, sent it and recorded it first.
            meanwhile = null;
            using var db = app.DbFactory.CreateDbContext();
            var row = db.Set<OutboxMessage>().Single(m => m.Id == janes);
            row.AttemptCount++;
            row.MarkSent(otherNodeSentAt, "<other-node@example> (250 OK)");
            db.SaveChanges();
        };

        await app.DispatchAsync();

        Assert.Single(await maildev.WaitForEmailsAsync(1));
        var row = await OutboxRowAsync(janes);
        Assert.Equal((OutboxMessageState.Sent, otherNodeSentAt, "<other-node@example> (250 OK)", 2), (row.State, row.SentAtUtc, row.ProviderId, row.AttemptCount));
    }

    /// <summary>A staff cancellation of Jane's upcoming appointment, with only the patient told: her email, queued in the Outbox.</summary>
    private async Task<int> QueuePatientEmailAsync()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Off);
        await app.TellPatientsAsync(byEmail: true);
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);
        Assert.True((await app.CancelAsAsync(DemoSignIns.Receptionist.Email, appointment.Id)).Succeeded);
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<OutboxMessage>().Where(m => m.To == JanesEmail && m.State == OutboxMessageState.Pending).Select(m => m.Id).SingleAsync();
    }

    private async Task<OutboxMessage> OutboxRowAsync(int id)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Id == id);
    }

    /// <summary>The Outbox rows an EF save wrote as Sent.</summary>
    private sealed class OutboxSaves : SaveChangesInterceptor
    {
        private readonly ConcurrentQueue<int> savedSent = new();

        public IReadOnlyCollection<int> SavedSent => savedSent;

        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
        {
            Note(eventData.Context);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Note(eventData.Context);
            return ValueTask.FromResult(result);
        }

        private void Note(DbContext? db)
        {
            foreach (var entry in db!.ChangeTracker.Entries<OutboxMessage>())
            {
                if (entry.State == EntityState.Modified && entry.Entity.State == OutboxMessageState.Sent)
                {
                    savedSent.Enqueue(entry.Entity.Id);
                }
            }
        }
    }
}
