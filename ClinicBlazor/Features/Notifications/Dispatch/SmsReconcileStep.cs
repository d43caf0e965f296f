using ClinicBlazor.Data;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Notifications.Sms;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// Before an SMS that may already have gone (Unknown, or Sending when its lease ran out) is sent
/// again, the provider's log is read: found → Sent under the attempt's charge; not found → the
/// caller re-sends it, without charging again; the log unreadable → it stays Unknown for the next run.
/// The same claim → look → record road as a send, with the log read in place of the send.
/// </summary>
internal sealed class SmsReconcileStep(IDatabaseEngine engine, ISmsSender sender, ILogger logger)
    : IDeliveryStep<int, SmsReconcileStep.Lookup, SmsReconcileStep.Looked, SmsReconcileStep.Reconciled>
{
    public sealed record Lookup(int DeliveryId, int AttemptId, string Body, DateTime StartedAtUtc, string ToE164);

    public sealed record Looked(SmsLogEntry? Match, string? LogUnavailable);

    /// <summary>Settled: nothing more to do in this run (<see cref="Outcome"/> says how it went, null when another run had moved it on); otherwise it goes on to be sent.</summary>
    public sealed record Reconciled(int DeliveryId, bool Settled, NoticeOutcome? Outcome);

    public bool LocksWhatItClaims => true;

    /// <summary>A Sending delivery whose lease ran out becomes Unknown; an Unknown one with a sent body is looked up (unless another node has it locked).</summary>
    public async Task<IReadOnlyList<Lookup>> ClaimAsync(ClinicDbContext db, IReadOnlyList<int> due, DateTime nowUtc, DateTime leaseUntilUtc, CancellationToken cancellationToken)
    {
        if ((await engine.LockFreeDeliveriesAsync(db, due, cancellationToken)).Count == 0)
        {
            return [];
        }

        var delivery = await db.Set<NoticeDelivery>().Include(d => d.Notice).Include(d => d.Attempts)
            .SingleAsync(d => d.Id == due.Single(), cancellationToken);
        if (delivery.State == DeliveryState.Sending && delivery.IsDue(nowUtc))
        {
            delivery.MarkUnknown(nowUtc, SmsNotices.ReconcilingSms);
        }

        return delivery.State == DeliveryState.Unknown && delivery.Attempts.Where(a => a.Body is not null).MaxBy(a => a.Id) is { } attempt
            ? [new Lookup(delivery.Id, attempt.Id, attempt.Body!, attempt.StartedAtUtc, delivery.Notice!.MobileE164)]
            : [];
    }

    public async Task<Looked> SendAsync(Lookup claim, Lookup? upcoming, CancellationToken cancellationToken)
    {
        try
        {
            var log = await sender.ListRecentToAsync(claim.ToE164, cancellationToken);
            return new Looked(SmsReconciliation.FindMatch(log, claim.Body, claim.StartedAtUtc), null);
        }
        catch (SmsLogUnavailableException exception)
        {
            return new Looked(null, exception.Message);
        }
    }

    public async Task<Reconciled> RecordAsync(ClinicDbContext db, Lookup claim, Looked sent, DateTime nowUtc, CancellationToken cancellationToken)
    {
        if (sent.LogUnavailable is { } error)
        {
            logger.LogWarning("SMS delivery {DeliveryId} stays Unknown: the provider's log could not be read ({Error})", claim.DeliveryId, LogRedaction.Redact(error));
            return new Reconciled(claim.DeliveryId, true, NoticeOutcome.NotSent);
        }

        if (sent.Match is not { } match)
        {
            return new Reconciled(claim.DeliveryId, false, NoticeOutcome.NotSent);
        }

        // Two nodes may have looked it up at once: the one that locks it records it, the other finds it settled.
        if ((await engine.LockFreeDeliveriesAsync(db, [claim.DeliveryId], cancellationToken)).Count == 0)
        {
            return new Reconciled(claim.DeliveryId, true, null);
        }

        var delivery = await db.Set<NoticeDelivery>().Include(d => d.Notice).ThenInclude(n => n!.Deliveries).Include(d => d.Attempts)
            .SingleAsync(d => d.Id == claim.DeliveryId, cancellationToken);
        if (delivery.State != DeliveryState.Unknown)
        {
            return new Reconciled(claim.DeliveryId, true, null);
        }

        var found = delivery.Attempts.Single(a => a.Id == claim.AttemptId);
        var followUp = delivery.RecordSent(found, nowUtc, match.Sid);
        if (found.OutboxMessageId is { } outboxId && await db.Set<OutboxMessage>().SingleOrDefaultAsync(m => m.Id == outboxId, cancellationToken) is { } outbox)
        {
            outbox.MarkSent(nowUtc, match.Sid);
        }

        return new Reconciled(claim.DeliveryId, true, new NoticeOutcome(true, followUp));
    }
}
