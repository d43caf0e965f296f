using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ClinicBlazor.Data.PostgreSql;

/// <summary>
/// Every transaction on PostgreSQL begins by taking one transaction-scoped advisory lock, the writer
/// lock, so that a rule which reads, checks and then writes in one transaction holds across nodes as
/// BEGIN IMMEDIATE makes it hold on SQLite, under READ COMMITTED: the lock is the transaction's first
/// statement, so every later statement sees what the previous holder committed.
/// <para>
/// Most transactions take it whole (<c>pg_advisory_xact_lock</c>), here: settings, staff, patients'
/// records, top-up, seeding — few, short, and each rule among them holds
/// without naming a lock of its own. The many take it shared (<c>pg_advisory_xact_lock_shared</c>) and
/// keep their rules with narrow locks (<see cref="PostgreSqlEngine"/>): the dispatcher's claims and
/// records (a practitioner's email, the delivery rows, a queued message's Outbox row, <c>FOR UPDATE
/// SKIP LOCKED</c>), an admin's
/// Resend (its delivery row), and every booking, move, cancellation and reinstatement, staff or online
/// (the schedules of the practitioners involved, and the deliveries of the appointment's open
/// notices). They begin with <see cref="IDatabaseEngine.BeginNarrowTransactionAsync"/> or
/// <see cref="IDatabaseEngine.BeginScheduleTransactionAsync"/>, which take it shared as their first
/// statement (with their own locks in the same round trip), so any number run at once, on any node,
/// while a whole holder still waits for them and they for it: a rule no narrow lock names still holds
/// against every transaction that takes it whole.
/// </para>
/// Statements outside a transaction (reads, lease renewals) take nothing.
/// </summary>
internal sealed class PostgreSqlWriterLock : DbTransactionInterceptor
{
    /// <summary>The lock's key: a constant of the app's own ("Clinic" 01; the start-up lock is 02).</summary>
    public const long Key = 0x436C696E6963_01;

    private static readonly string Whole = $"SELECT pg_advisory_xact_lock({Key})";

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        if (TakesItWhole(eventData))
        {
            using var command = connection.CreateCommand();
            command.Transaction = result;
            command.CommandText = Whole;
            command.ExecuteNonQuery();
        }

        return result;
    }

    public override async ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        if (TakesItWhole(eventData))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = result;
            command.CommandText = Whole;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return result;
    }

    /// <summary>A narrow transaction's engine takes the lock shared itself, as its first statement.</summary>
    private static bool TakesItWhole(TransactionEventData eventData)
    {
        if (eventData.Context is ClinicDbContext { NextTransactionIsNarrow: true } db)
        {
            db.NextTransactionIsNarrow = false;
            return false;
        }

        return true;
    }
}
