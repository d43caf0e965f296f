using ClinicBlazor.Data;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Notifications;

/// <summary>The email drain's hand-written SQL, run against a freshly migrated database, with its names from the EF model.</summary>
public class EmailDispatchCommandsTests : IAsyncLifetime
{
    private readonly ClinicAppFactory app;

    public EmailDispatchCommandsTests()
        : this(DatabaseProvider.Sqlite)
    {
    }

    protected EmailDispatchCommandsTests(DatabaseProvider provider) => app = NoticeTestKit.NewApp(provider: provider);
    private static string Priya => DemoSignIns.Practitioner.Email;

    public async Task InitializeAsync()
    {
        _ = app.ServerAddress;
        await app.SetNoticesAsync(Priya, NotificationMethod.Email);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task The_tables_and_columns_the_commands_name_are_the_migrated_schemas()
    {
        await using var db = await app.CreateDbContextAsync();
        var names = new ModelNames(db.Model);
        foreach (var entity in new[] { typeof(OutboxMessage), typeof(NoticeDelivery), typeof(DeliveryAttempt), typeof(CancellationNotice) }.Select(t => db.Model.FindEntityType(t)!))
        {
            var table = entity.GetTableName()!;
            var migrated = await (app.Provider == DatabaseProvider.PostgreSql
                ? db.Database.SqlQuery<string>($"SELECT column_name::text AS \"Value\" FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = {table}")
                : db.Database.SqlQuery<string>($"SELECT name AS \"Value\" FROM pragma_table_info({table})")).ToListAsync();
            var mapped = entity.GetProperties().Select(p => p.GetColumnName()).ToList();
            Assert.NotEmpty(migrated);
            Assert.Equal(mapped.Order(), migrated.Order());
        }

        Assert.Equal("\"NoticeDelivery\"", names.For<NoticeDelivery>().Name);
        Assert.Equal("'Sending'", names.For<NoticeDelivery>().Stored(nameof(NoticeDelivery.State), DeliveryState.Sending));
    }

    [Fact]
    public async Task Insert_claim_and_sent_run_on_the_migrated_schema_as_the_transitions_say()
    {
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);
        await app.CancelAsAsync(DemoSignIns.Receptionist.Email, appointment.Id);
        var delivery = (await app.NoticeForAsync(appointment.Id)).Email();
        var now = NoticeTestKit.Now;
        var engine = app.Services.GetRequiredService<IDatabaseEngine>();

        await using (var db = await app.CreateDbContextAsync())
        {
            await db.Database.OpenConnectionAsync();
            using var commands = engine.EmailDispatchCommands(db);
            int outboxId;
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                var row = OutboxQueue.NewRow(new("priya@example.test", "Cancelled", "text", "<p>html</p>"), "Cancellation notice", delivery.PractitionerId, OutboxMessageState.Sending, now);
                outboxId = Assert.Single(await commands.InsertOutboxRowsAsync([row], default));
                Assert.Equal(2, await commands.ClaimAsync([(delivery.Id, outboxId)], now, now.AddMinutes(5), default));
                await transaction.CommitAsync();
            }

            var claimed = (await app.NoticeForAsync(appointment.Id)).Email();
            Assert.Equal((DeliveryState.Sending, 1, now.AddMinutes(5)), (claimed.State, claimed.AttemptCount, claimed.LeaseUntilUtc));
            var attempt = Assert.Single(claimed.Attempts);
            Assert.Equal((AttemptOutcome.InProgress, outboxId), (attempt.Outcome, attempt.OutboxMessageId));

            Assert.True(await commands.TryRecordSentAsync([delivery.Id], outboxId, "<id@example> (250 OK)", now.AddSeconds(1), default));
        }

        var sent = (await app.NoticeForAsync(appointment.Id)).Email();
        Assert.Equal((DeliveryState.Sent, "<id@example> (250 OK)", now.AddSeconds(1)), (sent.State, sent.ProviderId, sent.SentAtUtc));
        Assert.Equal(AttemptOutcome.Sent, Assert.Single(sent.Attempts).Outcome);
        await using var check = await app.CreateDbContextAsync();
        var outbox = await check.Set<OutboxMessage>().SingleAsync(m => m.Kind == "Cancellation notice");
        Assert.Equal((OutboxMessageState.Sent, NoticeChannel.Email, "Cancelled"), (outbox.State, outbox.Channel, outbox.Subject));
    }

    [Fact]
    public async Task A_sent_queued_email_is_recorded_by_one_statement_exactly_as_MarkSent_leaves_it()
    {
        var claimed = await AddClaimedQueuedEmailAsync();
        var sentAt = NoticeTestKit.Now.AddSeconds(3);
        var expected = await ReadAsync(claimed.Id);
        expected.MarkSent(sentAt, "<queued@example> (250 OK)");

        Assert.True(await RecordQueuedSentAsync(claimed.Id, "<queued@example> (250 OK)", sentAt));

        var recorded = await ReadAsync(claimed.Id);
        AssertSameColumns(expected, recorded);
        Assert.Equal((OutboxMessageState.Sent, sentAt, null, null, null, 1), (recorded.State, recorded.SentAtUtc, recorded.LeaseUntilUtc, recorded.Error, recorded.ProtectedLink, recorded.AttemptCount));
    }

    [Theory]
    [InlineData(OutboxMessageState.Sent)]
    [InlineData(OutboxMessageState.Pending)]
    [InlineData(OutboxMessageState.NotSent)]
    public async Task A_queued_email_no_longer_Sending_is_left_as_it_is_by_the_one_statement_record(OutboxMessageState meanwhile)
    {
        var claimed = await AddClaimedQueuedEmailAsync();
        await using (var db = await app.CreateDbContextAsync())
        {
            // Another node took it once the lease ran out, and recorded its own outcome.
            var row = await db.Set<OutboxMessage>().SingleAsync(m => m.Id == claimed.Id);
            row.State = meanwhile;
            row.ProviderId = meanwhile == OutboxMessageState.Sent ? "<other-node@example> (250 OK)" : null;
            row.LeaseUntilUtc = null;
            row.AttemptCount = 2;
            await db.SaveChangesAsync();
        }

        var before = await ReadAsync(claimed.Id);

        Assert.False(await RecordQueuedSentAsync(claimed.Id, "<queued@example> (250 OK)", NoticeTestKit.Now.AddSeconds(3)));

        AssertSameColumns(before, await ReadAsync(claimed.Id));
    }

    /// <summary>A booking confirmation as a claim leaves it on its second try: Sending under a lease, its first try's error still on it, its link kept.</summary>
    private async Task<OutboxMessage> AddClaimedQueuedEmailAsync()
    {
        await using var db = await app.CreateDbContextAsync();
        var row = OutboxQueue.Email(db, new("online@patients.example", "Booking confirmed", $"Manage it: {OutboxMessage.MaskedLink}", null), "Booking confirmation", null, NoticeTestKit.Now, protectedLink: "protected-token");
        row.State = OutboxMessageState.Sending;
        row.AttemptCount = 1;
        row.LeaseUntilUtc = NoticeTestKit.Now.AddMinutes(5);
        row.Error = "the mail server could not be reached";
        await db.SaveChangesAsync();
        return row;
    }

    private async Task<bool> RecordQueuedSentAsync(int outboxMessageId, string providerId, DateTime nowUtc)
    {
        await using var db = await app.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        using var commands = app.Services.GetRequiredService<IDatabaseEngine>().EmailDispatchCommands(db);
        return await commands.TryRecordQueuedSentAsync(outboxMessageId, providerId, nowUtc, default);
    }

    private async Task<OutboxMessage> ReadAsync(int id)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Id == id);
    }

    /// <summary>Every column EF maps, so the statement cannot leave out one that EF's record would write.</summary>
    private void AssertSameColumns(OutboxMessage expected, OutboxMessage actual)
    {
        using var db = app.DbFactory.CreateDbContext();
        foreach (var property in db.Model.FindEntityType(typeof(OutboxMessage))!.GetProperties())
        {
            Assert.True(Equals(property.PropertyInfo!.GetValue(expected), property.PropertyInfo.GetValue(actual)), $"{property.Name}: expected {property.PropertyInfo.GetValue(expected)}, got {property.PropertyInfo.GetValue(actual)}");
        }
    }
}
