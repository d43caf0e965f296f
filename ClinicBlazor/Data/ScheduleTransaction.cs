using Microsoft.EntityFrameworkCore.Storage;

namespace ClinicBlazor.Data;

/// <summary>
/// A transaction that changes practitioners' schedules (<see cref="IDatabaseEngine.BeginScheduleTransactionAsync"/>),
/// with the schedules it holds: on PostgreSQL the practitioners it locked, on SQLite every one (the
/// file's one writer).
/// </summary>
public sealed class ScheduleTransaction(IDbContextTransaction transaction, IReadOnlySet<int>? practitionerIds) : IAsyncDisposable
{
    /// <summary>Whether no other schedule change of this practitioner can run until this one ends.</summary>
    public bool Holds(int practitionerId) => practitionerIds is null || practitionerIds.Contains(practitionerId);

    public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public ValueTask DisposeAsync() => transaction.DisposeAsync();
}
