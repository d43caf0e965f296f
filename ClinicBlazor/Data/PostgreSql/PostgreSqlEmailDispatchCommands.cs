using ClinicBlazor.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace ClinicBlazor.Data.PostgreSql;

/// <summary>
/// PostgreSQL's <see cref="IEmailDispatchCommands"/>, the same writes as SQLite's with arrays
/// (<c>ANY</c>, <c>unnest</c>) where SQLite reads a JSON list. Every table and column name, and every
/// stored enum text, comes from the EF model; a test runs them against the migrated schema.
/// </summary>
internal sealed class PostgreSqlEmailDispatchCommands : IEmailDispatchCommands
{
    private readonly ClinicDbContext db;
    private readonly NpgsqlConnection connection;
    private readonly string insertOutbox, claim, sent, queuedSent;

    public PostgreSqlEmailDispatchCommands(ClinicDbContext db)
    {
        this.db = db;
        connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var names = new ModelNames(db.Model);
        var (m, d, a, n) = (names.For<OutboxMessage>(), names.For<NoticeDelivery>(), names.For<DeliveryAttempt>(), names.For<CancellationNotice>());

        insertOutbox = $"""
            INSERT INTO {m.Name} ({m[nameof(OutboxMessage.CreatedAtUtc)]}, {m[nameof(OutboxMessage.Kind)]}, {m[nameof(OutboxMessage.Channel)]}, {m[nameof(OutboxMessage.To)]}, {m[nameof(OutboxMessage.Subject)]},
                {m[nameof(OutboxMessage.TextBody)]}, {m[nameof(OutboxMessage.HtmlBody)]}, {m[nameof(OutboxMessage.State)]}, {m[nameof(OutboxMessage.PractitionerId)]}, {m[nameof(OutboxMessage.AttemptCount)]})
            VALUES ($1, $2, {m.Stored(nameof(OutboxMessage.Channel), NoticeChannel.Email)}, $3, $4, $5, $6, {m.Stored(nameof(OutboxMessage.State), OutboxMessageState.Sending)}, $7, 0)
            RETURNING {m[nameof(OutboxMessage.Id)]}
            """;

        claim = $"""
            UPDATE {d.Name} SET {d[nameof(NoticeDelivery.State)]} = {d.Stored(nameof(NoticeDelivery.State), DeliveryState.Sending)}, {d[nameof(NoticeDelivery.LeaseUntilUtc)]} = @lease,
                {d[nameof(NoticeDelivery.NextAttemptAtUtc)]} = NULL, {d[nameof(NoticeDelivery.WaitingFor)]} = NULL,
                {d[nameof(NoticeDelivery.AttemptCount)]} = {d[nameof(NoticeDelivery.AttemptCount)]} + 1, {d[nameof(NoticeDelivery.UpdatedAtUtc)]} = @now
            WHERE {d[nameof(NoticeDelivery.Id)]} = ANY(@deliveries);
            INSERT INTO {a.Name} ({a[nameof(DeliveryAttempt.DeliveryId)]}, {a[nameof(DeliveryAttempt.StartedAtUtc)]}, {a[nameof(DeliveryAttempt.Outcome)]}, {a[nameof(DeliveryAttempt.OutboxMessageId)]}, {a[nameof(DeliveryAttempt.Charged)]})
            SELECT claimed.delivery, @now, {a.Stored(nameof(DeliveryAttempt.Outcome), AttemptOutcome.InProgress)}, claimed.outbox, FALSE FROM unnest(@deliveries, @outboxes) AS claimed(delivery, outbox);
            """;

        // A notice reinstated while its email was on its way is left out of the first update: the row count
        // falls short. The deliveries are locked first, by a statement of their own: a reinstatement holds
        // them until it commits, and the update, whose snapshot is taken after the lock, sees it.
        sent = $"""
            SELECT {d[nameof(NoticeDelivery.Id)]} FROM {d.Name} WHERE {d[nameof(NoticeDelivery.Id)]} = ANY(@ids) ORDER BY {d[nameof(NoticeDelivery.Id)]} FOR UPDATE;
            UPDATE {d.Name} SET {d[nameof(NoticeDelivery.State)]} = {d.Stored(nameof(NoticeDelivery.State), DeliveryState.Sent)}, {d[nameof(NoticeDelivery.SentAtUtc)]} = @now,
                {d[nameof(NoticeDelivery.ProviderId)]} = @provider, {d[nameof(NoticeDelivery.Reason)]} = NULL, {d[nameof(NoticeDelivery.WaitingFor)]} = NULL,
                {d[nameof(NoticeDelivery.LeaseUntilUtc)]} = NULL, {d[nameof(NoticeDelivery.UpdatedAtUtc)]} = @now
            WHERE {d[nameof(NoticeDelivery.Id)]} = ANY(@ids)
              AND NOT ({d[nameof(NoticeDelivery.Kind)]} = {d.Stored(nameof(NoticeDelivery.Kind), DeliveryKind.Cancellation)}
                       AND EXISTS (SELECT 1 FROM {n.Name} n WHERE n.{n[nameof(CancellationNotice.Id)]} = {d.Name}.{d[nameof(NoticeDelivery.NoticeId)]} AND n.{n[nameof(CancellationNotice.ReinstatedAtUtc)]} IS NOT NULL));
            UPDATE {a.Name} SET {a[nameof(DeliveryAttempt.Outcome)]} = {a.Stored(nameof(DeliveryAttempt.Outcome), AttemptOutcome.Sent)}, {a[nameof(DeliveryAttempt.FinishedAtUtc)]} = @now,
                {a[nameof(DeliveryAttempt.ProviderId)]} = @provider, {a[nameof(DeliveryAttempt.Error)]} = NULL
            WHERE {a[nameof(DeliveryAttempt.OutboxMessageId)]} = @outbox;
            UPDATE {m.Name} SET {m[nameof(OutboxMessage.State)]} = {m.Stored(nameof(OutboxMessage.State), OutboxMessageState.Sent)}, {m[nameof(OutboxMessage.SentAtUtc)]} = @now,
                {m[nameof(OutboxMessage.ProviderId)]} = @provider, {m[nameof(OutboxMessage.Error)]} = NULL
            WHERE {m[nameof(OutboxMessage.Id)]} = @outbox;
            """;

        // What OutboxMessage.MarkSent leaves. A claim or record holding the row (FOR UPDATE) makes it wait,
        // and it checks the state again as that writer left it: one that moved it on from Sending keeps it.
        queuedSent = $"""
            UPDATE {m.Name} SET {m[nameof(OutboxMessage.State)]} = {m.Stored(nameof(OutboxMessage.State), OutboxMessageState.Sent)}, {m[nameof(OutboxMessage.SentAtUtc)]} = @now,
                {m[nameof(OutboxMessage.ProviderId)]} = @provider, {m[nameof(OutboxMessage.Error)]} = NULL, {m[nameof(OutboxMessage.NextAttemptAtUtc)]} = NULL,
                {m[nameof(OutboxMessage.LeaseUntilUtc)]} = NULL, {m[nameof(OutboxMessage.ProtectedLink)]} = NULL
            WHERE {m[nameof(OutboxMessage.Id)]} = @outbox AND {m[nameof(OutboxMessage.State)]} = {m.Stored(nameof(OutboxMessage.State), OutboxMessageState.Sending)}
            """;
    }

    /// <summary>One batch, one round trip: a statement per row, each returning its id, in order.</summary>
    public async Task<IReadOnlyList<int>> InsertOutboxRowsAsync(IReadOnlyList<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection) { Transaction = CurrentTransaction() };
        foreach (var row in rows)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(insertOutbox)
            {
                Parameters =
                {
                    Utc(row.CreatedAtUtc),
                    new() { Value = row.Kind },
                    new() { Value = row.To },
                    new() { Value = row.Subject },
                    new() { Value = row.TextBody },
                    new() { Value = (object?)row.HtmlBody ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                    new() { Value = (object?)row.PractitionerId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer },
                },
            });
        }

        var ids = new List<int>(rows.Count);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        do
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt32(0));
            }
        }
        while (await reader.NextResultAsync(cancellationToken));

        return ids;
    }

    public async Task<int> ClaimAsync(IReadOnlyList<(int DeliveryId, int OutboxMessageId)> claims, DateTime nowUtc, DateTime leaseUntilUtc, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(claim, connection, CurrentTransaction())
        {
            Parameters =
            {
                new("now", NpgsqlDbType.TimestampTz) { Value = AsUtc(nowUtc) },
                new("lease", NpgsqlDbType.TimestampTz) { Value = AsUtc(leaseUntilUtc) },
                new("deliveries", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = claims.Select(c => c.DeliveryId).ToArray() },
                new("outboxes", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = claims.Select(c => c.OutboxMessageId).ToArray() },
            },
        };
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> TryRecordSentAsync(IReadOnlyList<int> deliveryIds, int outboxMessageId, string providerId, DateTime nowUtc, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sent, connection, transaction)
        {
            Parameters =
            {
                new("now", NpgsqlDbType.TimestampTz) { Value = AsUtc(nowUtc) },
                new("provider", NpgsqlDbType.Text) { Value = providerId },
                new("ids", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = deliveryIds.ToArray() },
                new("outbox", NpgsqlDbType.Integer) { Value = outboxMessageId },
            },
        };
        if (await command.ExecuteNonQueryAsync(cancellationToken) != (2 * deliveryIds.Count) + 1)
        {
            return false;
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Autocommit, one round trip; like every statement outside a transaction it takes no writer lock.</summary>
    public async Task<bool> TryRecordQueuedSentAsync(int outboxMessageId, string providerId, DateTime nowUtc, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(queuedSent, connection)
        {
            Parameters =
            {
                new("now", NpgsqlDbType.TimestampTz) { Value = AsUtc(nowUtc) },
                new("provider", NpgsqlDbType.Text) { Value = providerId },
                new("outbox", NpgsqlDbType.Integer) { Value = outboxMessageId },
            },
        };
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public void Dispose()
    {
    }

    private NpgsqlTransaction? CurrentTransaction() => (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();

    private static NpgsqlParameter Utc(DateTime value) => new() { Value = AsUtc(value), NpgsqlDbType = NpgsqlDbType.TimestampTz };

    // timestamptz takes only UTC kinds; the app's instants are UTC whatever kind they carry.
    private static DateTime AsUtc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
