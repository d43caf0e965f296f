using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ClinicBlazor.Data.PostgreSql;

/// <summary>
/// Every transaction on PostgreSQL begins by taking one transaction-scoped advisory lock, so
/// transactions run one at a time as BEGIN IMMEDIATE makes them on SQLite. The services' rules that
/// read, check and then write in one transaction — no double booking, the last online slot, one
/// Resend per failed delivery, the SMS charge — therefore hold across nodes exactly as they hold in
/// one process, under READ COMMITTED: the lock is the transaction's first statement, so every later
/// statement sees what the previous holder committed. Transactions stay short (no send runs inside
/// one), and statements outside a transaction (reads, the dispatcher's claims) do not wait for it.
/// </summary>
internal sealed class PostgreSqlWriterLock : DbTransactionInterceptor
{
    /// <summary>The lock's key: a constant of the app's own ("Clinic" 01; the start-up lock is 02).</summary>
    public const long Key = 0x436C696E6963_01;

    private static readonly string Sql = $"SELECT pg_advisory_xact_lock({Key})";

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        using var command = connection.CreateCommand();
        command.Transaction = result;
        command.CommandText = Sql;
        command.ExecuteNonQuery();
        return result;
    }

    public override async ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = result;
        command.CommandText = Sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
        return result;
    }
}
