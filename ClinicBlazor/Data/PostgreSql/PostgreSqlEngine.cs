using ClinicBlazor.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace ClinicBlazor.Data.PostgreSql;

/// <summary>
/// PostgreSQL's <see cref="IDatabaseEngine"/>. Nothing to prepare or tune around a drain: the database
/// is created under the start-up lock (<see cref="PostgreSqlDatabase"/>). A transaction takes the
/// writer lock whole (<see cref="PostgreSqlWriterLock"/>) unless it is narrow: then it holds it shared
/// and keeps its rule with the locks here, so two nodes' dispatchers do not wait for each other.
/// </summary>
public sealed class PostgreSqlEngine : IDatabaseEngine
{
    /// <summary>The key space of a practitioner's email claim (<c>pg_try_advisory_xact_lock(space, practitioner id)</c>): "Cln" 01.</summary>
    public const int PractitionerEmailSpace = 0x436C6E_01;

    private static readonly string TryLockPractitioners = $"SELECT id FROM unnest($1) AS practitioner(id) WHERE pg_try_advisory_xact_lock({PractitionerEmailSpace}, id)";

    public Task PrepareAsync(ClinicDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task BeginDrainAsync(ClinicDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task EndDrainAsync(ClinicDbContext db) => Task.CompletedTask;

    public IEmailDispatchCommands EmailDispatchCommands(ClinicDbContext db) => new PostgreSqlEmailDispatchCommands(db);

    public async Task<IDbContextTransaction> BeginNarrowTransactionAsync(ClinicDbContext db, CancellationToken cancellationToken)
    {
        db.NextTransactionIsNarrow = true;
        try
        {
            return await db.Database.BeginTransactionAsync(cancellationToken);
        }
        finally
        {
            db.NextTransactionIsNarrow = false;
        }
    }

    /// <summary><c>pg_try_advisory_xact_lock</c> on each practitioner's id, in one statement.</summary>
    public async Task<IReadOnlySet<int>> LockFreePractitionersEmailAsync(ClinicDbContext db, IReadOnlyCollection<int> practitionerIds, CancellationToken cancellationToken) =>
        await IdsAsync(db, TryLockPractitioners, practitionerIds, cancellationToken);

    /// <summary><c>FOR UPDATE SKIP LOCKED</c>: a delivery another node is claiming or recording is left to it.</summary>
    public async Task<IReadOnlySet<int>> LockFreeDeliveriesAsync(ClinicDbContext db, IReadOnlyCollection<int> deliveryIds, CancellationToken cancellationToken)
    {
        var deliveries = new ModelNames(db.Model).For<NoticeDelivery>();
        var id = deliveries[nameof(NoticeDelivery.Id)];
        return await IdsAsync(db, $"SELECT {id} FROM {deliveries.Name} WHERE {id} = ANY($1) FOR UPDATE SKIP LOCKED", deliveryIds, cancellationToken);
    }

    /// <summary>Runs <paramref name="sql"/> with the ids as its one array parameter, in the context's open transaction; the ids it returns.</summary>
    private static async Task<IReadOnlySet<int>> IdsAsync(ClinicDbContext db, string sql, IReadOnlyCollection<int> ids, CancellationToken cancellationToken)
    {
        // A narrow lock lasts as long as its transaction: outside one it would end with its own statement.
        db.RequireNarrowLockTransaction();
        var transaction = (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction();
        await using var command = new NpgsqlCommand(sql, transaction.Connection, transaction)
        {
            Parameters = { new NpgsqlParameter { Value = ids.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer } },
        };
        var locked = new HashSet<int>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            locked.Add(reader.GetInt32(0));
        }

        return locked;
    }
}
