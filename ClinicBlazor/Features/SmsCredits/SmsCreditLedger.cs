using ClinicBlazor.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.SmsCredits;

/// <summary>
/// Told once per crossing when a charge takes the balance below the low-balance threshold, inside
/// the charging transaction, so an outbox row written here commits or rolls back with the charge.
/// Nothing is signalled from here: the caller's dispatcher run sends what it queued.
/// </summary>
public interface ILowBalanceAlert
{
    Task BalanceFellBelowThresholdAsync(ClinicDbContext db, int balance, int threshold, CancellationToken cancellationToken = default);
}

/// <summary>
/// The movements of the clinic's SMS credits, always inside the caller's open transaction: a charge
/// per attempt (in the transaction that marks it Sending), its refund when the provider definitely
/// refused it, a top-up, and the low-balance crossing. The balance changes only by single conditional
/// UPDATEs, each with its ledger row, so two charges racing for the last credit cannot both win and the
/// balance always equals the ledger's sum. A singleton: the dispatcher uses it without a scope per SMS.
/// </summary>
public sealed class SmsCreditLedger(ILowBalanceAlert lowBalanceAlert, TimeProvider clock)
{
    /// <summary>
    /// Charges one credit for a notice's SMS attempt and saves the context's pending changes with it.
    /// False when there is no credit left: nothing is written.
    /// </summary>
    public Task<bool> TryChargeAsync(ClinicDbContext db, int deliveryId, int attemptId, string note, CancellationToken cancellationToken = default) =>
        TryChargeAsync(db, new ChargedFor(deliveryId, attemptId, null), note, cancellationToken);

    /// <summary>Charges one credit for an SMS that is not a notice's (a test SMS): the ledger row points at its Outbox row.</summary>
    public Task<bool> TryChargeMessageAsync(ClinicDbContext db, int outboxMessageId, string note, CancellationToken cancellationToken = default) =>
        TryChargeAsync(db, new ChargedFor(null, null, outboxMessageId), note, cancellationToken);

    /// <summary>
    /// Gives back an attempt's credit when the provider definitely refused it. False (and nothing
    /// written) when that attempt was never charged or is already refunded, so a repeated outcome
    /// cannot refund twice.
    /// </summary>
    public Task<bool> RefundAsync(ClinicDbContext db, int deliveryId, int attemptId, string reason, CancellationToken cancellationToken = default) =>
        RefundAsync(db, new ChargedFor(deliveryId, attemptId, null), reason, cancellationToken);

    public Task<bool> RefundMessageAsync(ClinicDbContext db, int outboxMessageId, string reason, CancellationToken cancellationToken = default) =>
        RefundAsync(db, new ChargedFor(null, null, outboxMessageId), reason, cancellationToken);

    /// <summary>Adds credits for a member of staff; returns the new balance. A top-up ends a low-balance crossing.</summary>
    public async Task<int> TopUpAsync(ClinicDbContext db, int credits, string note, string? actorUserId, string actorName, CancellationToken cancellationToken = default)
    {
        RequireTransaction(db);
        var balance = await AddAsync(db, SmsCreditKind.TopUp, credits, note, actorUserId, actorName, ChargedFor.Nothing, cancellationToken);

        // Only a top-up ends a crossing: a refund that lifts the balance back for a moment
        // (a held channel charging and refunding every retry) must not alert again and again.
        await ClearAlertIfRecoveredAsync(db, cancellationToken);
        return balance;
    }

    /// <summary>
    /// True exactly once each time the balance is below the threshold (then false until a top-up or
    /// a new threshold lifts it back), raising <see cref="ILowBalanceAlert"/> in the caller's transaction.
    /// </summary>
    public async Task<bool> DetectLowBalanceCrossingAsync(ClinicDbContext db, CancellationToken cancellationToken = default)
    {
        var crossed = await db.Set<SmsCreditAccount>()
            .Where(a => a.Id == SmsCreditAccount.SingletonId && !a.LowBalanceAlerted && a.LowBalanceThreshold > 0 && a.Balance < a.LowBalanceThreshold)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.LowBalanceAlerted, true), cancellationToken);
        if (crossed == 0)
        {
            return false;
        }

        var account = await db.Set<SmsCreditAccount>().AsNoTracking().SingleAsync(a => a.Id == SmsCreditAccount.SingletonId, cancellationToken);
        await lowBalanceAlert.BalanceFellBelowThresholdAsync(db, account.Balance, account.LowBalanceThreshold, cancellationToken);
        return true;
    }

    /// <summary>The stored balance, read inside whatever the caller has open (no permission needed: a number, no names).</summary>
    public static async Task<int> BalanceAsync(ClinicDbContext db, CancellationToken cancellationToken = default) =>
        await db.Set<SmsCreditAccount>().Where(a => a.Id == SmsCreditAccount.SingletonId).Select(a => a.Balance).SingleAsync(cancellationToken);

    internal static async Task ClearAlertIfRecoveredAsync(ClinicDbContext db, CancellationToken cancellationToken) =>
        await db.Set<SmsCreditAccount>()
            .Where(a => a.Id == SmsCreditAccount.SingletonId && a.LowBalanceAlerted && (a.LowBalanceThreshold == 0 || a.Balance >= a.LowBalanceThreshold))
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.LowBalanceAlerted, false), cancellationToken);

    /// <summary>What a charge or refund belongs to: a notice's attempt, or an Outbox row of its own.</summary>
    private sealed record ChargedFor(int? DeliveryId, int? AttemptId, int? OutboxMessageId)
    {
        public static readonly ChargedFor Nothing = new(null, null, null);
    }

    private async Task<bool> TryChargeAsync(ClinicDbContext db, ChargedFor target, string note, CancellationToken cancellationToken)
    {
        RequireTransaction(db);
        var charged = await db.Set<SmsCreditAccount>()
            .Where(a => a.Id == SmsCreditAccount.SingletonId && a.Balance > 0)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.Balance, a => a.Balance - 1), cancellationToken);
        if (charged == 0)
        {
            return false;
        }

        var balance = await BalanceAsync(db, cancellationToken);
        db.Add(Entry(SmsCreditKind.Charge, -1, balance, note, null, null, target));
        await db.SaveChangesAsync(cancellationToken);
        await DetectLowBalanceCrossingAsync(db, cancellationToken);
        return true;
    }

    private async Task<bool> RefundAsync(ClinicDbContext db, ChargedFor target, string reason, CancellationToken cancellationToken)
    {
        RequireTransaction(db);
        var entries = target.OutboxMessageId is { } outboxId
            ? db.Set<SmsCreditLedgerEntry>().Where(e => e.OutboxMessageId == outboxId)
            : db.Set<SmsCreditLedgerEntry>().Where(e => e.AttemptId == target.AttemptId && e.DeliveryId == target.DeliveryId);
        var net = await entries.Where(e => e.Kind == SmsCreditKind.Charge || e.Kind == SmsCreditKind.Refund).SumAsync(e => e.Amount, cancellationToken);
        if (net >= 0)
        {
            return false;
        }

        await AddAsync(db, SmsCreditKind.Refund, 1, reason, null, SmsCreditLedgerEntry.SystemActor, target, cancellationToken);
        return true;
    }

    private async Task<int> AddAsync(ClinicDbContext db, SmsCreditKind kind, int credits, string note, string? actorUserId, string actorName, ChargedFor target, CancellationToken cancellationToken)
    {
        await db.Set<SmsCreditAccount>().Where(a => a.Id == SmsCreditAccount.SingletonId)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.Balance, a => a.Balance + credits), cancellationToken);
        var balance = await BalanceAsync(db, cancellationToken);
        db.Add(Entry(kind, credits, balance, note, actorUserId, actorName, target));
        await db.SaveChangesAsync(cancellationToken);
        return balance;
    }

    private SmsCreditLedgerEntry Entry(SmsCreditKind kind, int amount, int balanceAfter, string note, string? actorUserId, string? actorName, ChargedFor target) => new()
    {
        AtUtc = clock.GetUtcNow().UtcDateTime,
        Kind = kind,
        Amount = amount,
        BalanceAfter = balanceAfter,
        Note = note.Length > SmsCreditService.MaxNoteLength ? note[..SmsCreditService.MaxNoteLength] : note,
        ActorUserId = actorUserId,
        ActorName = actorName ?? SmsCreditLedgerEntry.SystemActor,
        DeliveryId = target.DeliveryId,
        AttemptId = target.AttemptId,
        OutboxMessageId = target.OutboxMessageId,
    };

    private static void RequireTransaction(ClinicDbContext db)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Credit movements belong in the caller's transaction (the one that records the attempt): begin one first.");
        }
    }
}
