using System.Diagnostics;
using ClinicBlazor.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// The one way a message leaves the app: claim (a short transaction, under a lease) → send (no
/// transaction open) → record the outcome (a short transaction). Email, SMS, the reconciliation of
/// an ambiguous SMS and the queued messages each plug in as an
/// <see cref="IDeliveryStep{TDue,TClaim,TSent,TResult}"/>.
/// </summary>
public sealed class DeliveryPipeline(IDbContextFactory<ClinicDbContext> dbFactory, IDatabaseEngine engine, IOptions<NotificationsOptions> options, TimeProvider clock)
{
    /// <summary>How long a claim stays ours (<c>Notifications:LeaseSeconds</c>); after that (the process died) it is taken up again.</summary>
    public TimeSpan Lease => TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    /// <summary>A run's clock: <paramref name="nowUtc"/> moved on by the time the app's clock runs from now.</summary>
    public RunClock ClockFrom(DateTime nowUtc) => new(nowUtc, clock);

    /// <summary>
    /// Runs <paramref name="chunks"/> through <paramref name="step"/>, <paramref name="parallel"/> at a
    /// time: each chunk is claimed in one transaction, then its claims are sent and recorded one after
    /// another. With <paramref name="runDb"/> (one context on an open connection, for a sequential run)
    /// every claim uses it; otherwise each transaction has a context of its own. Each chunk is claimed,
    /// and each outcome recorded, at that moment of the run: <paramref name="nowUtc"/> moved on by the
    /// time the app's clock has run since (<paramref name="runClock"/>, when the caller keeps it too).
    /// <paramref name="recorded"/> hears of each outcome once it is committed. The chunks are taken
    /// one at a time as a sender is free, so a lazy <paramref name="chunks"/> may still add to them.
    /// Returns each claim's result.
    /// </summary>
    public async Task<IReadOnlyList<TResult>> RunAsync<TDue, TClaim, TSent, TResult>(
        IDeliveryStep<TDue, TClaim, TSent, TResult> step,
        IEnumerable<IReadOnlyList<TDue>> chunks,
        DateTime nowUtc,
        CancellationToken cancellationToken,
        int parallel = 1,
        ClinicDbContext? runDb = null,
        RunClock? runClock = null,
        Action<TClaim, TResult>? recorded = null)
        where TClaim : class
        where TResult : class
    {
        if (runDb is not null && parallel != 1)
        {
            throw new ArgumentException("A run's shared context serves one chunk at a time.", nameof(parallel));
        }

        var results = new List<TResult>();
        var run = Stopwatch.StartNew();
        var now = runClock ?? ClockFrom(nowUtc);
        var each = new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(chunks, each, async (chunk, token) =>
        {
            await step.BeforeClaimAsync(token);

            // The lease runs from this claim, not from the run's start: a claim made late in a long run
            // must not look abandoned to another node the moment it is made.
            var leaseUntil = nowUtc + run.Elapsed + Lease;
            var claims = await InTransactionAsync(runDb, step.LocksWhatItClaims, db => step.ClaimAsync(db, chunk, now.UtcNow, leaseUntil, token), token);
            var leaseTakenAt = Stopwatch.GetTimestamp();
            for (var i = 0; i < claims.Count; i++)
            {
                // A slow provider must not let the lease of a chunk's later claims run out while they
                // wait their turn (another node would take them and send them too).
                if (Stopwatch.GetElapsedTime(leaseTakenAt) > Lease / 2)
                {
                    await step.RenewLeaseAsync(claims.Skip(i), nowUtc + run.Elapsed + Lease, token);
                    leaseTakenAt = Stopwatch.GetTimestamp();
                }

                var claim = claims[i];
                var sent = await step.SendAsync(claim, i + 1 < claims.Count ? claims[i + 1] : null, token);
                var sentAtUtc = now.UtcNow;
                var result = await step.TryRecordQuicklyAsync(claim, sent, sentAtUtc, token)
                             ?? await InTransactionAsync(null, step.LocksWhatItClaims, db => step.RecordAsync(db, claim, sent, sentAtUtc, token), token);
                lock (results)
                {
                    results.Add(result);
                }

                recorded?.Invoke(claim, result);
            }
        });
        return results;
    }

    /// <summary>A short transaction (narrow for a step that locks what it claims), committed with what the work left in the context.</summary>
    private async Task<T> InTransactionAsync<T>(ClinicDbContext? runDb, bool narrow, Func<ClinicDbContext, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var owned = runDb is null ? await dbFactory.CreateDbContextAsync(cancellationToken) : null;
        var db = runDb ?? owned!;
        await using var transaction = narrow
            ? await engine.BeginNarrowTransactionAsync(db, cancellationToken)
            : await db.Database.BeginTransactionAsync(cancellationToken);
        var result = await work(db);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
