using System.Globalization;
using ClinicBlazor.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ClinicBlazor.Data.Sqlite;

/// <summary>
/// Every SQLite-only statement the app runs, in one place. Transactions need nothing here:
/// Microsoft.Data.Sqlite begins them as <c>BEGIN IMMEDIATE</c>, so a read-then-write (a slot's
/// re-check, a claim, a charge) holds the write lock from its first statement.
/// </summary>
public sealed class SqliteEngine(SqliteWriterQueue writers) : IDatabaseEngine
{
    /// <summary>How long a writer waits for another before "database is locked".</summary>
    public const int BusyTimeoutMilliseconds = 10_000;

    /// <summary>Per connection (see <see cref="SqlitePragmas"/>): wait for a busy writer, enforce foreign keys, sync at checkpoints.</summary>
    public static readonly string ConnectionPragmas = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;");

    /// <summary>Log pages (4 KB) between checkpoints while a run drains email (SQLite's default is 1,000).</summary>
    public const int RunCheckpointPages = 10_000;

    private const int DefaultCheckpointPages = 1000;

    /// <summary>WAL is a property of the file, set once: readers never wait for the writer.</summary>
    public async Task PrepareAsync(ClinicDbContext db, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", cancellationToken);

    /// <summary>
    /// A drain commits a few pages per email; the default checkpoints the log every 1,000 pages (every
    /// ~140 emails), copying again the pages consecutive emails share and syncing the file each time.
    /// The run's connection checkpoints in bigger steps, and once more at its end (here, not in the next
    /// user's save). The connection is pooled: <see cref="EndDrainAsync"/> puts the default back.
    /// </summary>
    public async Task BeginDrainAsync(ClinicDbContext db, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlRawAsync(string.Create(CultureInfo.InvariantCulture, $"PRAGMA wal_autocheckpoint = {RunCheckpointPages};"), cancellationToken);

    public async Task EndDrainAsync(ClinicDbContext db) =>
        await db.Database.ExecuteSqlRawAsync(string.Create(CultureInfo.InvariantCulture, $"PRAGMA wal_autocheckpoint = {DefaultCheckpointPages}; PRAGMA wal_checkpoint(PASSIVE);"), CancellationToken.None);

    public IEmailDispatchCommands EmailDispatchCommands(ClinicDbContext db) => new SqliteEmailDispatchCommands(db, writers);

    /// <summary>BEGIN IMMEDIATE: the file's one writer is the narrowest lock SQLite has, and it holds every rule.</summary>
    public async Task<IDbContextTransaction> BeginNarrowTransactionAsync(ClinicDbContext db, CancellationToken cancellationToken)
    {
        db.LeaveSavepointsOut();
        return await db.Database.BeginTransactionAsync(cancellationToken);
    }

    /// <summary>BEGIN IMMEDIATE: the file's one writer holds every practitioner's schedule.</summary>
    public async Task<ScheduleTransaction> BeginScheduleTransactionAsync(ClinicDbContext db, int? appointmentId, IReadOnlyCollection<int> practitionerIds, CancellationToken cancellationToken) =>
        new(await BeginNarrowTransactionAsync(db, cancellationToken), practitionerIds: null);

    public Task LockDeliveriesAsync(ClinicDbContext db, IReadOnlyCollection<int> deliveryIds, CancellationToken cancellationToken)
    {
        db.RequireNarrowLockTransaction();
        return Task.CompletedTask;
    }

    public Task LockPatientDetailsAsync(ClinicDbContext db, string email, CancellationToken cancellationToken)
    {
        db.RequireNarrowLockTransaction();
        return Task.CompletedTask;
    }

    public Task<IReadOnlySet<int>> LockFreePractitionersEmailAsync(ClinicDbContext db, IReadOnlyCollection<int> practitionerIds, CancellationToken cancellationToken)
    {
        db.RequireNarrowLockTransaction();
        return Task.FromResult<IReadOnlySet<int>>(practitionerIds.ToHashSet());
    }

    public Task<IReadOnlySet<int>> LockFreeDeliveriesAsync(ClinicDbContext db, IReadOnlyCollection<int> deliveryIds, CancellationToken cancellationToken) =>
        AllHeldAlready(db, deliveryIds);

    public Task<IReadOnlySet<int>> LockFreeOutboxMessagesAsync(ClinicDbContext db, IReadOnlyCollection<int> messageIds, CancellationToken cancellationToken) =>
        AllHeldAlready(db, messageIds);

    public Task LockOutboxMessagesAsync(ClinicDbContext db, IReadOnlyCollection<int> messageIds, CancellationToken cancellationToken) =>
        AllHeldAlready(db, messageIds);

    /// <summary>The transaction's BEGIN IMMEDIATE already holds every row: each one is its.</summary>
    private static Task<IReadOnlySet<int>> AllHeldAlready(ClinicDbContext db, IReadOnlyCollection<int> ids)
    {
        db.RequireNarrowLockTransaction();
        return Task.FromResult<IReadOnlySet<int>>(ids.ToHashSet());
    }
}
