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
}
