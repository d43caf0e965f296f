using ClinicBlazor.Data;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// What one channel plugs into <see cref="DeliveryPipeline"/>: how it takes due work, sends it and
/// records how it went. The pipeline owns the transactions; a step never opens one around a send.
/// </summary>
/// <typeparam name="TDue">What was found due (ids, a practitioner's batch).</typeparam>
/// <typeparam name="TClaim">What was claimed: everything the send needs, read in the claim.</typeparam>
/// <typeparam name="TSent">What the provider said.</typeparam>
/// <typeparam name="TResult">What the caller is told about each claim.</typeparam>
public interface IDeliveryStep<TDue, TClaim, TSent, TResult>
    where TClaim : class
    where TResult : class
{
    /// <summary>
    /// The step's claims lock what they take themselves (<see cref="IDatabaseEngine.TryLockPractitionerEmailAsync"/>,
    /// <see cref="IDatabaseEngine.LockFreeDeliveriesAsync"/>), so its transactions are narrow: on PostgreSQL
    /// two nodes' runs claim and record beside each other. Otherwise each takes the whole writer lock.
    /// </summary>
    bool LocksWhatItClaims => false;

    /// <summary>Just before a claim's transaction begins: the last point at which claims running at once can be held back (a test races them for the last credit here).</summary>
    ValueTask BeforeClaimAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Step 1, inside a short transaction that the pipeline commits: takes what is still due of
    /// <paramref name="due"/> under a lease until <paramref name="leaseUntilUtc"/> (with its attempt, and for
    /// an SMS its credit) and returns what to send. What is no longer due, dropped or skipped is written
    /// here and left out. <paramref name="nowUtc"/> is the run's instant; the lease runs from the claim's.
    /// </summary>
    Task<IReadOnlyList<TClaim>> ClaimAsync(ClinicDbContext db, IReadOnlyList<TDue> due, DateTime nowUtc, DateTime leaseUntilUtc, CancellationToken cancellationToken);

    /// <summary>Claims still waiting their turn behind a slow send stay ours until <paramref name="leaseUntilUtc"/>.</summary>
    Task RenewLeaseAsync(IEnumerable<TClaim> waiting, DateTime leaseUntilUtc, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Step 2, with no transaction open. <paramref name="upcoming"/> is the claim sent after this one, if
    /// any, for a channel that prepares it meanwhile. Never throws for what the provider does.
    /// </summary>
    Task<TSent> SendAsync(TClaim claim, TClaim? upcoming, CancellationToken cancellationToken);

    /// <summary>
    /// A faster record of the common outcome, in its own short transaction; null leaves it to <see cref="RecordAsync"/>.
    /// <paramref name="nowUtc"/> is when the send ended (the run's instant moved on by the app's clock), as for <see cref="RecordAsync"/>.
    /// </summary>
    Task<TResult?> TryRecordQuicklyAsync(TClaim claim, TSent sent, DateTime nowUtc, CancellationToken cancellationToken) => Task.FromResult<TResult?>(null);

    /// <summary>
    /// Step 3, inside a short transaction that the pipeline commits: what happened, and what comes next,
    /// at <paramref name="nowUtc"/>, when the send ended (a sent delivery's SentAtUtc, a retry's backoff from it).
    /// </summary>
    Task<TResult> RecordAsync(ClinicDbContext db, TClaim claim, TSent sent, DateTime nowUtc, CancellationToken cancellationToken);
}
