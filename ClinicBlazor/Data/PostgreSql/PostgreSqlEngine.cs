using ClinicBlazor.Features.Notifications;

namespace ClinicBlazor.Data.PostgreSql;

/// <summary>
/// PostgreSQL's <see cref="IDatabaseEngine"/>. Nothing to prepare or tune around a drain: the database
/// is created under the start-up lock (<see cref="PostgreSqlDatabase"/>), and write transactions are
/// serialised by <see cref="PostgreSqlWriterLock"/> as BEGIN IMMEDIATE serialises them on SQLite.
/// </summary>
public sealed class PostgreSqlEngine : IDatabaseEngine
{
    public Task PrepareAsync(ClinicDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task BeginDrainAsync(ClinicDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task EndDrainAsync(ClinicDbContext db) => Task.CompletedTask;

    public IEmailDispatchCommands EmailDispatchCommands(ClinicDbContext db) => new PostgreSqlEmailDispatchCommands(db);
}
