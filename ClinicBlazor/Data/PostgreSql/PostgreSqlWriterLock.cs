using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ClinicBlazor.Data.PostgreSql;

/// <summary>
/// Every transaction on PostgreSQL begins by taking one transaction-scoped advisory lock, the writer
/// lock, so that a rule which reads, checks and then writes in one transaction holds across nodes as
/// BEGIN IMMEDIATE makes it hold on SQLite, under READ COMMITTED: the lock is the transaction's first
/// statement, so every later statement sees what the previous holder committed.
/// <para>
/// Most transactions take it whole (<c>pg_advisory_xact_lock</c>): the staff's and patients' own
/// actions (booking, moving, cancelling, Resend, top-up, settings) are few and short, and taking it
/// whole keeps every rule among them without each naming a lock of its own. The dispatcher's claims
/// and records are the many; they begin with <see cref="IDatabaseEngine.BeginNarrowTransactionAsync"/>,
/// keep their rules with narrow locks of their own (<see cref="PostgreSqlEngine"/>: a practitioner's
/// email, the delivery rows, <c>FOR UPDATE SKIP LOCKED</c>) and take the writer lock shared
/// (<c>pg_advisory_xact_lock_shared</c>): any number of them run at once, on any node, while a whole
/// holder still waits for them and they for it. So a rule no narrow lock names still holds.
/// </para>
/// Statements outside a transaction (reads, lease renewals) take nothing.
/// </summary>
internal sealed class PostgreSqlWriterLock : DbTransactionInterceptor
{
    /// <summary>The lock's key: a constant of the app's own ("Clinic" 01; the start-up lock is 02).</summary>
    public const long Key = 0x436C696E6963_01;

    private static readonly string Whole = $"SELECT pg_advisory_xact_lock({Key})";

    private static readonly string Shared = $"SELECT pg_advisory_xact_lock_shared({Key})";

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        using var command = connection.CreateCommand();
        command.Transaction = result;
        command.CommandText = Sql(eventData);
        command.ExecuteNonQuery();
        return result;
    }

    public override async ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = result;
        command.CommandText = Sql(eventData);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return result;
    }

    private static string Sql(TransactionEventData eventData)
    {
        if (eventData.Context is ClinicDbContext { NextTransactionIsNarrow: true } db)
        {
            db.NextTransactionIsNarrow = false;
            return Shared;
        }

        return Whole;
    }
}
