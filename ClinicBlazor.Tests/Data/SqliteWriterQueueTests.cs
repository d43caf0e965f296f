using ClinicBlazor.Data;
using ClinicBlazor.Data.Sqlite;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ClinicBlazor.Tests.Data;

/// <summary>
/// SQLite's writers in one process take the file first come, first served (<see cref="SqliteWriterQueue"/>),
/// and a turn ends however its transaction does. Without the queue the waiters poll (busy_timeout) and
/// whichever polls first after a commit wins, so the order below would be left to chance.
/// </summary>
public sealed class SqliteWriterQueueTests : IAsyncLifetime, IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"writer-queue-{Guid.NewGuid():N}.db");
    private readonly SqliteWriterQueue queue = new();
    private readonly List<ClinicDbContext> contexts = [];

    public async Task InitializeAsync()
    {
        await using var db = NewContext();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL; CREATE TABLE probe (writer TEXT);");
    }

    public async Task DisposeAsync()
    {
        foreach (var db in contexts)
        {
            await db.DisposeAsync();
        }
    }

    public void Dispose()
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Writers_take_the_file_in_the_order_they_asked_for_it()
    {
        var (first, second, third) = await QueueThreeAsync("first", "second", "third");

        await first.CommitAsync();
        var secondTransaction = await WithinAsync(second);
        Assert.False(third.IsCompleted, "The third writer went before the second, which asked first.");

        await secondTransaction.CommitAsync();
        await (await WithinAsync(third)).CommitAsync();
        await using var db = NewContext();
        Assert.Equal(["first", "second", "third"], await db.Database.SqlQueryRaw<string>("SELECT writer AS Value FROM probe ORDER BY rowid").ToListAsync());
    }

    [Fact]
    public async Task A_transaction_disposed_unfinished_or_rolled_back_ends_its_turn()
    {
        var (disposed, rolledBack, committed) = await QueueThreeAsync("disposed", "rolled back", "committed");

        await disposed.DisposeAsync();
        await (await WithinAsync(rolledBack)).RollbackAsync();
        await (await WithinAsync(committed)).CommitAsync();

        Assert.Equal(0, queue.Waiting);
        await using var db = NewContext();
        Assert.Equal(["committed"], await db.Database.SqlQueryRaw<string>("SELECT writer AS Value FROM probe").ToListAsync());
    }

    private ClinicDbContext NewContext() =>
        new((DbContextOptions<ClinicDbContext>)queue.Join(new DbContextOptionsBuilder<ClinicDbContext>().UseSqlite($"Data Source={path}").AddInterceptors(new SqlitePragmas())).Options);

    /// <summary>
    /// Begins a write transaction on a context of its own and writes the writer's name in it. The
    /// connection stays open after the transaction, as a dispatcher run's does, so only the
    /// transaction's own end can end the turn.
    /// </summary>
    private async Task<IDbContextTransaction> BeginAsync(string writer)
    {
        var db = NewContext();
        contexts.Add(db);
        await db.Database.OpenConnectionAsync();
        var transaction = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlAsync($"INSERT INTO probe (writer) VALUES ({writer})");
        return transaction;
    }

    /// <summary>The first writer holds the file; the second, then the third, wait in the queue behind it.</summary>
    private async Task<(IDbContextTransaction First, Task<IDbContextTransaction> Second, Task<IDbContextTransaction> Third)> QueueThreeAsync(string first, string second, string third)
    {
        var holding = await BeginAsync(first);
        var next = BeginAsync(second);
        await WaitUntilWaitingAsync(1);
        var last = BeginAsync(third);
        await WaitUntilWaitingAsync(2);
        return (holding, next, last);
    }

    private async Task WaitUntilWaitingAsync(int writers)
    {
        var deadline = Deadline.In(TimeSpan.FromSeconds(10));
        while (queue.Waiting < writers)
        {
            Assert.False(deadline.Passed, $"Fewer than {writers} writers are waiting for their turn.");
            await Task.Delay(10);
        }
    }

    private static async Task<IDbContextTransaction> WithinAsync(Task<IDbContextTransaction> begin) =>
        await begin.WaitAsync(TimeSpan.FromSeconds(5));
}
