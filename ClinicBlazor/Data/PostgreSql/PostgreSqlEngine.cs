using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace ClinicBlazor.Data.PostgreSql;

/// <summary>
/// PostgreSQL's <see cref="IDatabaseEngine"/>. Nothing to prepare or tune around a drain: the database
/// is created under the start-up lock (<see cref="PostgreSqlDatabase"/>). A transaction takes the
/// writer lock whole (<see cref="PostgreSqlWriterLock"/>) unless it is narrow: then it holds it shared,
/// taken here as its first statement, and keeps its rule with the locks here, so two nodes'
/// dispatchers, and two desks changing different practitioners' schedules, do not wait for each other.
/// </summary>
public sealed class PostgreSqlEngine : IDatabaseEngine
{
    /// <summary>The key space of a practitioner's email claim (<c>pg_try_advisory_xact_lock(space, practitioner id)</c>): "Cln" 01.</summary>
    public const int PractitionerEmailSpace = 0x436C6E_01;

    /// <summary>The key space of a practitioner's schedule (<c>pg_advisory_xact_lock(space, practitioner id)</c>): "Cln" 02.</summary>
    public const int ScheduleSpace = 0x436C6E_02;

    /// <summary>The key space of a patient's details by email (<c>pg_advisory_xact_lock(space, hashtext(lower(email)))</c>): "Cln" 03.</summary>
    public const int PatientDetailsSpace = 0x436C6E_03;

    private static readonly string TryLockPractitioners = $"SELECT id FROM unnest($1) AS practitioner(id) WHERE pg_try_advisory_xact_lock({PractitionerEmailSpace}, id)";

    private static readonly string SharedWriterLock = $"SELECT pg_advisory_xact_lock_shared({PostgreSqlWriterLock.Key})";

    private ScheduleSql? scheduleSql;

    public Task PrepareAsync(ClinicDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task BeginDrainAsync(ClinicDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task EndDrainAsync(ClinicDbContext db) => Task.CompletedTask;

    public IEmailDispatchCommands EmailDispatchCommands(ClinicDbContext db) => new PostgreSqlEmailDispatchCommands(db);

    public async Task<IDbContextTransaction> BeginNarrowTransactionAsync(ClinicDbContext db, CancellationToken cancellationToken)
    {
        var transaction = await BeginWithoutWriterLockAsync(db, cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand(SharedWriterLock, Connection(transaction), Npgsql(transaction));
            await command.ExecuteNonQueryAsync(cancellationToken);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// One round trip: the writer lock shared, the schedules (<see cref="ScheduleSpace"/>, lowest id
    /// first), and with an appointment its open notices' practitioners' email claims (so no digest is
    /// split) and their deliveries (<c>FOR UPDATE</c>). Each statement runs after the one before has its
    /// lock, and reads what was committed by then.
    /// </summary>
    public async Task<ScheduleTransaction> BeginScheduleTransactionAsync(ClinicDbContext db, int? appointmentId, IReadOnlyCollection<int> practitionerIds, CancellationToken cancellationToken)
    {
        var sql = scheduleSql ??= new ScheduleSql(new ModelNames(db.Model));
        var transaction = await BeginWithoutWriterLockAsync(db, cancellationToken);
        try
        {
            await using var batch = new NpgsqlBatch(Connection(transaction), Npgsql(transaction));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(SharedWriterLock));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql.LockSchedules)
            {
                Parameters =
                {
                    new() { Value = practitionerIds.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer },
                    new() { Value = (object?)appointmentId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer },
                },
            });
            if (appointmentId is { } appointment)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(sql.LockNoticeEmail) { Parameters = { new() { Value = appointment, NpgsqlDbType = NpgsqlDbType.Integer } } });
                batch.BatchCommands.Add(new NpgsqlBatchCommand(sql.LockNoticeDeliveries) { Parameters = { new() { Value = appointment, NpgsqlDbType = NpgsqlDbType.Integer } } });
            }

            var held = new HashSet<int>();
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
            {
                // The writer lock's row, then the schedules it holds; the rest only lock.
                await reader.NextResultAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    held.Add(reader.GetInt32(0));
                }

                while (await reader.NextResultAsync(cancellationToken))
                {
                }
            }

            return new ScheduleTransaction(transaction, held);
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <summary><c>pg_try_advisory_xact_lock</c> on each practitioner's id, in one statement.</summary>
    public async Task<IReadOnlySet<int>> LockFreePractitionersEmailAsync(ClinicDbContext db, IReadOnlyCollection<int> practitionerIds, CancellationToken cancellationToken) =>
        await IdsAsync(db, TryLockPractitioners, practitionerIds, cancellationToken);

    /// <summary><c>FOR UPDATE SKIP LOCKED</c>: a delivery another node is claiming or recording is left to it.</summary>
    public async Task<IReadOnlySet<int>> LockFreeDeliveriesAsync(ClinicDbContext db, IReadOnlyCollection<int> deliveryIds, CancellationToken cancellationToken) =>
        await IdsAsync(db, RowLocks<NoticeDelivery>(db, skipLocked: true), deliveryIds, cancellationToken);

    /// <summary><c>FOR UPDATE</c>, lowest id first (two writers locking overlapping sets cannot deadlock).</summary>
    public async Task LockDeliveriesAsync(ClinicDbContext db, IReadOnlyCollection<int> deliveryIds, CancellationToken cancellationToken) =>
        await IdsAsync(db, RowLocks<NoticeDelivery>(db, skipLocked: false), deliveryIds, cancellationToken);

    /// <summary><c>FOR UPDATE SKIP LOCKED</c>: a queued message another node is claiming or recording is left to it.</summary>
    public async Task<IReadOnlySet<int>> LockFreeOutboxMessagesAsync(ClinicDbContext db, IReadOnlyCollection<int> messageIds, CancellationToken cancellationToken) =>
        await IdsAsync(db, RowLocks<OutboxMessage>(db, skipLocked: true), messageIds, cancellationToken);

    /// <summary><c>FOR UPDATE</c>, lowest id first.</summary>
    public async Task LockOutboxMessagesAsync(ClinicDbContext db, IReadOnlyCollection<int> messageIds, CancellationToken cancellationToken) =>
        await IdsAsync(db, RowLocks<OutboxMessage>(db, skipLocked: false), messageIds, cancellationToken);

    public async Task LockPatientDetailsAsync(ClinicDbContext db, string email, CancellationToken cancellationToken)
    {
        db.RequireNarrowLockTransaction();
        var transaction = Npgsql(db.Database.CurrentTransaction!);
        await using var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({PatientDetailsSpace}, hashtext(lower($1)))", transaction.Connection, transaction)
        {
            Parameters = { new NpgsqlParameter { Value = email.Trim(), NpgsqlDbType = NpgsqlDbType.Text } },
        };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Begins the transaction with the writer lock left to the caller, whose first statement takes it shared.</summary>
    private static async Task<IDbContextTransaction> BeginWithoutWriterLockAsync(ClinicDbContext db, CancellationToken cancellationToken)
    {
        db.LeaveSavepointsOut();
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

    /// <summary>Runs <paramref name="sql"/> with the ids as its one array parameter, in the context's open transaction; the ids it returns.</summary>
    private static async Task<IReadOnlySet<int>> IdsAsync(ClinicDbContext db, string sql, IReadOnlyCollection<int> ids, CancellationToken cancellationToken)
    {
        // A narrow lock lasts as long as its transaction: outside one it would end with its own statement.
        db.RequireNarrowLockTransaction();
        var transaction = Npgsql(db.Database.CurrentTransaction!);
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

    /// <summary>Locks the rows of <typeparamref name="TEntity"/> whose ids are the array parameter, lowest id first; with <paramref name="skipLocked"/> passing over those another transaction holds.</summary>
    private static string RowLocks<TEntity>(ClinicDbContext db, bool skipLocked)
    {
        var table = new ModelNames(db.Model).For<TEntity>();
        var id = table["Id"];
        return $"SELECT {id} FROM {table.Name} WHERE {id} = ANY($1) ORDER BY {id} FOR UPDATE{(skipLocked ? " SKIP LOCKED" : "")}";
    }

    private static NpgsqlTransaction Npgsql(IDbContextTransaction transaction) => (NpgsqlTransaction)transaction.GetDbTransaction();

    private static NpgsqlConnection Connection(IDbContextTransaction transaction) => Npgsql(transaction).Connection!;

    /// <summary>The schedule transaction's statements, with the names the model gives.</summary>
    private sealed class ScheduleSql
    {
        public ScheduleSql(ModelNames names)
        {
            var (a, n, d) = (names.For<Appointment>(), names.For<CancellationNotice>(), names.For<NoticeDelivery>());
            var openNoticeDeliveries = $"""
                FROM {d.Name} d JOIN {n.Name} n ON n.{n[nameof(CancellationNotice.Id)]} = d.{d[nameof(NoticeDelivery.NoticeId)]}
                WHERE n.{n[nameof(CancellationNotice.AppointmentId)]} = $1 AND n.{n[nameof(CancellationNotice.ReinstatedAtUtc)]} IS NULL
                """;

            // The sorted subquery is not flattened into the outer query, so the locks are taken in its order.
            LockSchedules = $"""
                SELECT s.id, pg_advisory_xact_lock({ScheduleSpace}, s.id)
                FROM (SELECT DISTINCT id FROM unnest(array_append($1, (SELECT {a[nameof(Appointment.PractitionerId)]} FROM {a.Name} WHERE {a[nameof(Appointment.Id)]} = $2))) AS practitioner(id)
                      WHERE id IS NOT NULL ORDER BY id) s
                """;
            LockNoticeEmail = $"""
                SELECT s.id, pg_advisory_xact_lock({PractitionerEmailSpace}, s.id)
                FROM (SELECT DISTINCT d.{d[nameof(NoticeDelivery.PractitionerId)]} AS id {openNoticeDeliveries} ORDER BY id) s
                """;
            LockNoticeDeliveries = $"SELECT d.{d[nameof(NoticeDelivery.Id)]} {openNoticeDeliveries} ORDER BY d.{d[nameof(NoticeDelivery.Id)]} FOR UPDATE OF d";
        }

        public string LockSchedules { get; }

        public string LockNoticeEmail { get; }

        public string LockNoticeDeliveries { get; }
    }
}
