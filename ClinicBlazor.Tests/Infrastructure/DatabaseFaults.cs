using System.Data.Common;
using ClinicBlazor.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Infrastructure;

/// <summary>
/// Faults a test switches on in a running app: the database turned read-only (SQLite's own
/// query_only, so every write fails as on a read-only file), or every save failing as on a full disk.
/// </summary>
public sealed class DatabaseFaults : DbConnectionInterceptor, ISaveChangesInterceptor
{
    public bool ReadOnly { get; set; }

    public bool DiskFull { get; set; }

    /// <summary>Adds these faults to the app's database contexts (call from ClinicAppFactory.ConfigureServices).</summary>
    public void AddTo(IServiceCollection services) =>
        services.ConfigureDbContext<ClinicDbContext>(options => options.AddInterceptors(this));

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = ReadOnly ? "PRAGMA query_only = ON;" : "PRAGMA query_only = OFF;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = ReadOnly ? "PRAGMA query_only = ON;" : "PRAGMA query_only = OFF;";
        command.ExecuteNonQuery();
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        DiskFull ? throw Full() : ValueTask.FromResult(result);

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
        DiskFull ? throw Full() : result;

    // What SQLite answers when the disk fills mid-write (SQLITE_FULL), wrapped as EF wraps it.
    private static DbUpdateException Full() =>
        new("An error occurred while saving the entity changes.", new SqliteException("SQLite Error 13: 'database or disk is full'.", 13));
}
