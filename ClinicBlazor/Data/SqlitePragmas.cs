using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ClinicBlazor.Data;

/// <summary>
/// Sets the per-connection SQLite pragmas: wait for a busy writer instead of failing with
/// "database is locked", and enforce foreign keys. WAL is a property of the file, set once at start.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private static readonly string Pragmas = Sqlite.SqliteEngine.ConnectionPragmas;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
