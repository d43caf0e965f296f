using System.Globalization;
using ClinicBlazor.Features.Notifications;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace ClinicBlazor.Data.Sqlite;

/// <summary>
/// SQLite's <see cref="IEmailDispatchCommands"/>: prepared once per run on the run's connection (SQLite
/// parses each once), bound per email. Every table and column name, and every stored enum text, comes
/// from the EF model, so a rename in the model cannot leave this SQL behind (a test runs it against a
/// freshly migrated schema).
/// </summary>
internal sealed class SqliteEmailDispatchCommands : IEmailDispatchCommands
{
    private readonly ClinicDbContext db;
    private readonly SqliteWriterQueue writers;
    private readonly SqliteConnection connection;
    private readonly SqliteCommand insertOutbox, claim, sent, queuedSent;
    private readonly SqliteParameter kind, to, subject, text, html, practitioner, insertNow;
    private readonly SqliteParameter claimNow, claimLease, claimPairs;
    private readonly SqliteParameter sentNow, sentProvider, sentIds, sentOutbox;
    private readonly SqliteParameter queuedNow, queuedProvider, queuedOutbox;

    public SqliteEmailDispatchCommands(ClinicDbContext db, SqliteWriterQueue writers)
    {
        this.db = db;
        this.writers = writers;
        connection = (SqliteConnection)db.Database.GetDbConnection();
        var names = new ModelNames(db.Model);
        var (m, d, a, n) = (names.For<OutboxMessage>(), names.For<NoticeDelivery>(), names.For<DeliveryAttempt>(), names.For<CancellationNotice>());

        insertOutbox = Command($"""
            INSERT INTO {m.Name} ({m[nameof(OutboxMessage.CreatedAtUtc)]}, {m[nameof(OutboxMessage.Kind)]}, {m[nameof(OutboxMessage.Channel)]}, {m[nameof(OutboxMessage.To)]}, {m[nameof(OutboxMessage.Subject)]},
                {m[nameof(OutboxMessage.TextBody)]}, {m[nameof(OutboxMessage.HtmlBody)]}, {m[nameof(OutboxMessage.State)]}, {m[nameof(OutboxMessage.PractitionerId)]}, {m[nameof(OutboxMessage.AttemptCount)]})
            VALUES ($now, $kind, {m.Stored(nameof(OutboxMessage.Channel), NoticeChannel.Email)}, $to, $subject, $text, $html, {m.Stored(nameof(OutboxMessage.State), OutboxMessageState.Sending)}, $practitioner, 0)
            RETURNING {m[nameof(OutboxMessage.Id)]};
            """);
        insertNow = Parameter(insertOutbox, "$now", SqliteType.Text);
        kind = Parameter(insertOutbox, "$kind", SqliteType.Text);
        to = Parameter(insertOutbox, "$to", SqliteType.Text);
        subject = Parameter(insertOutbox, "$subject", SqliteType.Text);
        text = Parameter(insertOutbox, "$text", SqliteType.Text);
        html = Parameter(insertOutbox, "$html", SqliteType.Text);
        practitioner = Parameter(insertOutbox, "$practitioner", SqliteType.Integer);

        claim = Command($"""
            UPDATE {d.Name} SET {d[nameof(NoticeDelivery.State)]} = {d.Stored(nameof(NoticeDelivery.State), DeliveryState.Sending)}, {d[nameof(NoticeDelivery.LeaseUntilUtc)]} = $lease,
                {d[nameof(NoticeDelivery.NextAttemptAtUtc)]} = NULL, {d[nameof(NoticeDelivery.WaitingFor)]} = NULL,
                {d[nameof(NoticeDelivery.AttemptCount)]} = {d[nameof(NoticeDelivery.AttemptCount)]} + 1, {d[nameof(NoticeDelivery.UpdatedAtUtc)]} = $now
            WHERE {d[nameof(NoticeDelivery.Id)]} IN (SELECT json_extract(value, '$[0]') FROM json_each($pairs));
            INSERT INTO {a.Name} ({a[nameof(DeliveryAttempt.DeliveryId)]}, {a[nameof(DeliveryAttempt.StartedAtUtc)]}, {a[nameof(DeliveryAttempt.Outcome)]}, {a[nameof(DeliveryAttempt.OutboxMessageId)]}, {a[nameof(DeliveryAttempt.Charged)]})
            SELECT json_extract(value, '$[0]'), $now, {a.Stored(nameof(DeliveryAttempt.Outcome), AttemptOutcome.InProgress)}, json_extract(value, '$[1]'), 0 FROM json_each($pairs);
            """);
        claimNow = Parameter(claim, "$now", SqliteType.Text);
        claimLease = Parameter(claim, "$lease", SqliteType.Text);
        claimPairs = Parameter(claim, "$pairs", SqliteType.Text);

        // A notice reinstated while its email was on its way is left out of the first update: the row count falls short.
        sent = Command($"""
            UPDATE {d.Name} SET {d[nameof(NoticeDelivery.State)]} = {d.Stored(nameof(NoticeDelivery.State), DeliveryState.Sent)}, {d[nameof(NoticeDelivery.SentAtUtc)]} = $now,
                {d[nameof(NoticeDelivery.ProviderId)]} = $provider, {d[nameof(NoticeDelivery.Reason)]} = NULL, {d[nameof(NoticeDelivery.WaitingFor)]} = NULL,
                {d[nameof(NoticeDelivery.LeaseUntilUtc)]} = NULL, {d[nameof(NoticeDelivery.UpdatedAtUtc)]} = $now
            WHERE {d[nameof(NoticeDelivery.Id)]} IN (SELECT value FROM json_each($ids))
              AND NOT ({d[nameof(NoticeDelivery.Kind)]} = {d.Stored(nameof(NoticeDelivery.Kind), DeliveryKind.Cancellation)}
                       AND EXISTS (SELECT 1 FROM {n.Name} n WHERE n.{n[nameof(CancellationNotice.Id)]} = {d.Name}.{d[nameof(NoticeDelivery.NoticeId)]} AND n.{n[nameof(CancellationNotice.ReinstatedAtUtc)]} IS NOT NULL));
            UPDATE {a.Name} SET {a[nameof(DeliveryAttempt.Outcome)]} = {a.Stored(nameof(DeliveryAttempt.Outcome), AttemptOutcome.Sent)}, {a[nameof(DeliveryAttempt.FinishedAtUtc)]} = $now,
                {a[nameof(DeliveryAttempt.ProviderId)]} = $provider, {a[nameof(DeliveryAttempt.Error)]} = NULL
            WHERE {a[nameof(DeliveryAttempt.OutboxMessageId)]} = $outbox;
            UPDATE {m.Name} SET {m[nameof(OutboxMessage.State)]} = {m.Stored(nameof(OutboxMessage.State), OutboxMessageState.Sent)}, {m[nameof(OutboxMessage.SentAtUtc)]} = $now,
                {m[nameof(OutboxMessage.ProviderId)]} = $provider, {m[nameof(OutboxMessage.Error)]} = NULL
            WHERE {m[nameof(OutboxMessage.Id)]} = $outbox;
            """);
        sentNow = Parameter(sent, "$now", SqliteType.Text);
        sentProvider = Parameter(sent, "$provider", SqliteType.Text);
        sentIds = Parameter(sent, "$ids", SqliteType.Text);
        sentOutbox = Parameter(sent, "$outbox", SqliteType.Integer);

        // What OutboxMessage.MarkSent leaves; another writer that moved it on from Sending meanwhile keeps it.
        queuedSent = Command($"""
            UPDATE {m.Name} SET {m[nameof(OutboxMessage.State)]} = {m.Stored(nameof(OutboxMessage.State), OutboxMessageState.Sent)}, {m[nameof(OutboxMessage.SentAtUtc)]} = $now,
                {m[nameof(OutboxMessage.ProviderId)]} = $provider, {m[nameof(OutboxMessage.Error)]} = NULL, {m[nameof(OutboxMessage.NextAttemptAtUtc)]} = NULL,
                {m[nameof(OutboxMessage.LeaseUntilUtc)]} = NULL, {m[nameof(OutboxMessage.ProtectedLink)]} = NULL
            WHERE {m[nameof(OutboxMessage.Id)]} = $outbox AND {m[nameof(OutboxMessage.State)]} = {m.Stored(nameof(OutboxMessage.State), OutboxMessageState.Sending)};
            """);
        queuedNow = Parameter(queuedSent, "$now", SqliteType.Text);
        queuedProvider = Parameter(queuedSent, "$provider", SqliteType.Text);
        queuedOutbox = Parameter(queuedSent, "$outbox", SqliteType.Integer);
    }

    public async Task<IReadOnlyList<int>> InsertOutboxRowsAsync(IReadOnlyList<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        insertOutbox.Transaction = CurrentTransaction();
        var ids = new List<int>(rows.Count);
        foreach (var row in rows)
        {
            insertNow.Value = row.CreatedAtUtc;
            kind.Value = row.Kind;
            to.Value = row.To;
            subject.Value = row.Subject;
            text.Value = row.TextBody;
            html.Value = (object?)row.HtmlBody ?? DBNull.Value;
            practitioner.Value = (object?)row.PractitionerId ?? DBNull.Value;
            ids.Add(Convert.ToInt32(await insertOutbox.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture));
        }

        return ids;
    }

    public async Task<int> ClaimAsync(IReadOnlyList<(int DeliveryId, int OutboxMessageId)> claims, DateTime nowUtc, DateTime leaseUntilUtc, CancellationToken cancellationToken)
    {
        claim.Transaction = CurrentTransaction();
        claimNow.Value = nowUtc;
        claimLease.Value = leaseUntilUtc;
        claimPairs.Value = $"[{string.Join(',', claims.Select(c => string.Create(CultureInfo.InvariantCulture, $"[{c.DeliveryId},{c.OutboxMessageId}]")))}]";
        return await claim.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> TryRecordSentAsync(IReadOnlyList<int> deliveryIds, int outboxMessageId, string providerId, DateTime nowUtc, CancellationToken cancellationToken)
    {
        sentNow.Value = nowUtc;
        sentProvider.Value = providerId;
        sentIds.Value = deliveryIds.Count == 1
            ? string.Create(CultureInfo.InvariantCulture, $"[{deliveryIds[0]}]")
            : $"[{string.Join(',', deliveryIds)}]";
        sentOutbox.Value = outboxMessageId;
        // Its own transaction on the connection, past EF's: it queues with the app's other writers here.
        return await writers.InTurnAsync(connection, async () =>
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            sent.Transaction = transaction;
            var rows = await sent.ExecuteNonQueryAsync(cancellationToken);
            sent.Transaction = null;
            if (rows != (2 * deliveryIds.Count) + 1)
            {
                return false;
            }

            await transaction.CommitAsync(cancellationToken);
            return true;
        }, cancellationToken);
    }

    public async Task<bool> TryRecordQueuedSentAsync(int outboxMessageId, string providerId, DateTime nowUtc, CancellationToken cancellationToken)
    {
        queuedNow.Value = nowUtc;
        queuedProvider.Value = providerId;
        queuedOutbox.Value = outboxMessageId;
        // One statement in its own implicit transaction: it queues with the app's other writers too.
        return await writers.InTurnAsync(connection, async () => await queuedSent.ExecuteNonQueryAsync(cancellationToken) == 1, cancellationToken);
    }

    public void Dispose()
    {
        insertOutbox.Dispose();
        claim.Dispose();
        sent.Dispose();
        queuedSent.Dispose();
    }

    private SqliteTransaction? CurrentTransaction() => (SqliteTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();

    private SqliteCommand Command(string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static SqliteParameter Parameter(SqliteCommand command, string name, SqliteType type) => command.Parameters.Add(name, type);
}
