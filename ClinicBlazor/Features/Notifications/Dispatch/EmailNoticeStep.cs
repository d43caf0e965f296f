using System.Diagnostics;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Notifications.Email;
using ClinicBlazor.Features.Settings;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// Email's step for one run: a practitioner's due cancellations go as one digest (a reinstated
/// follow-up on its own), claimed a chunk at a time by the database's hand-written commands on the
/// run's connection, sent over the run's one SMTP session, and recorded by one prepared command when
/// the server took it (through EF when it did not, or when the notice was reinstated meanwhile).
/// </summary>
internal sealed class EmailNoticeStep(
    ClinicDbContext runDb,
    IDatabaseEngine engine,
    IEmailDispatchCommands commands,
    IEmailSession session,
    Clinic clinic,
    string baseUrl,
    NotificationsOptions.RetryOptions retry,
    ILogger logger) : IDeliveryStep<EmailNoticeStep.Batch, EmailNoticeStep.Claimed, EmailNoticeStep.Sent, NoticeOutcome>
{
    /// <summary>One email's worth of due deliveries.</summary>
    public sealed record Batch(int PractitionerId, string To, DeliveryKind Kind, IReadOnlyList<int> DeliveryIds);

    public sealed record Claimed(Batch Batch, int OutboxMessageId, EmailMessage Message);

    public sealed record Sent(string? ProviderId, EmailSendException? Failure);

    /// <summary>Due deliveries as emails: cancellations per practitioner and address as a digest, each follow-up alone.</summary>
    public static List<Batch> Group(IEnumerable<DueDeliveries.Due> due)
    {
        var list = due.ToList();
        var digests = list.Where(d => d.Kind == DeliveryKind.Cancellation)
            .GroupBy(d => (d.PractitionerId, d.Email))
            .Select(g => new Batch(g.Key.PractitionerId, g.Key.Email, DeliveryKind.Cancellation, g.Select(d => d.Id).Order().ToList()));
        var followUps = list.Where(d => d.Kind == DeliveryKind.Reinstatement)
            .Select(d => new Batch(d.PractitionerId, d.Email, DeliveryKind.Reinstatement, [d.Id]));
        return [.. digests.Concat(followUps).OrderBy(b => b.DeliveryIds[0])];
    }

    public bool LocksWhatItClaims => true;

    /// <summary>
    /// One transaction for the chunk: its deliveries become Sending under the lease, with an Outbox row
    /// and an attempt per email. A crash after it re-sends at most the chunk's unrecorded emails.
    /// Another node's run may be claiming at the same moment: a practitioner whose email it holds is
    /// left to it whole, and so is a delivery it has locked; what is read after the locks is current.
    /// </summary>
    public async Task<IReadOnlyList<Claimed>> ClaimAsync(ClinicDbContext db, IReadOnlyList<Batch> due, DateTime nowUtc, DateTime leaseUntilUtc, CancellationToken cancellationToken)
    {
        var practitioners = await engine.LockFreePractitionersEmailAsync(db, [.. due.Select(b => b.PractitionerId).Distinct()], cancellationToken);
        var ours = due.Where(b => practitioners.Contains(b.PractitionerId)).ToList();
        var ids = (await engine.LockFreeDeliveriesAsync(db, [.. ours.SelectMany(b => b.DeliveryIds)], cancellationToken)).ToList();
        var loaded = await db.Set<NoticeDelivery>().AsNoTracking().Include(d => d.Notice)
            .Where(d => ids.Contains(d.Id))
            .ToDictionaryAsync(d => d.Id, cancellationToken);

        var taken = new List<(Batch Batch, List<NoticeDelivery> Deliveries, EmailMessage Message)>();
        foreach (var batch in ours)
        {
            // Another run (or an undo) may have moved some of them on since they were found due.
            var deliveries = batch.DeliveryIds.Select(id => loaded.GetValueOrDefault(id))
                .OfType<NoticeDelivery>()
                .Where(d => d.State != DeliveryState.Unknown && d.IsClaimable(nowUtc))
                .ToList();
            if (deliveries.Count > 0)
            {
                taken.Add((batch, deliveries, Compose(batch, deliveries.Select(d => d.Notice!).ToList())));
            }
        }

        if (taken.Count == 0)
        {
            return [];
        }

        // The Outbox rows, then every claimed delivery Sending with an attempt in its email, by the
        // engine's commands: EF's change tracking of 50 new rows with their bodies cost more than the rest.
        var outboxIds = await commands.InsertOutboxRowsAsync([.. taken.Select(t => OutboxQueue.NewRow(t.Message, OutboxQueue.KindOf(t.Batch.Kind, t.Deliveries.Select(d => d.Notice!.Kind)), t.Batch.PractitionerId, OutboxMessageState.Sending, nowUtc))], cancellationToken);
        var rows = await commands.ClaimAsync([.. taken.SelectMany((t, i) => t.Deliveries.Select(d => (d.Id, outboxIds[i])))], nowUtc, leaseUntilUtc, cancellationToken);
        Debug.Assert(rows == 2 * taken.Sum(t => t.Deliveries.Count), "each claimed delivery updated once and given one attempt");
        return [.. taken.Select((t, i) => new Claimed(t.Batch with { DeliveryIds = [.. t.Deliveries.Select(d => d.Id)] }, outboxIds[i], t.Message))];
    }

    public async Task RenewLeaseAsync(IEnumerable<Claimed> waiting, DateTime leaseUntilUtc, CancellationToken cancellationToken)
    {
        var ids = waiting.SelectMany(c => c.Batch.DeliveryIds).ToList();
        await runDb.Set<NoticeDelivery>()
            .Where(d => ids.Contains(d.Id) && d.State == DeliveryState.Sending)
            .ExecuteUpdateAsync(set => set.SetProperty(d => d.LeaseUntilUtc, leaseUntilUtc), cancellationToken);
    }

    public async Task<Sent> SendAsync(Claimed claim, Claimed? upcoming, CancellationToken cancellationToken)
    {
        try
        {
            // The next email's MIME is built on another thread while this one is on the wire.
            var sending = session.SendAsync(claim.Message, cancellationToken);
            if (upcoming is not null)
            {
                session.Prepare(upcoming.Message);
            }

            return new Sent(await sending, null);
        }
        catch (EmailSendException exception)
        {
            logger.LogWarning("Email {OutboxMessageId} was not sent ({Kind}): {Error}", claim.OutboxMessageId, exception.Kind, LogRedaction.Redact(exception.Message));
            return new Sent(null, exception);
        }
    }

    /// <summary>The common case, between every two sends: one prepared command on the run's connection.</summary>
    public async Task<NoticeOutcome?> TryRecordQuicklyAsync(Claimed claim, Sent sent, DateTime nowUtc, CancellationToken cancellationToken) =>
        sent.Failure is null && await commands.TryRecordSentAsync(claim.Batch.DeliveryIds, claim.OutboxMessageId, sent.ProviderId!, nowUtc, cancellationToken)
            ? new NoticeOutcome(true, false)
            : null;

    public async Task<NoticeOutcome> RecordAsync(ClinicDbContext db, Claimed claim, Sent sent, DateTime nowUtc, CancellationToken cancellationToken)
    {
        // Locked before they are read: a reinstatement committed meanwhile is seen here (its follow-up is added).
        await engine.LockDeliveriesAsync(db, claim.Batch.DeliveryIds, cancellationToken);
        var outbox = await db.Set<OutboxMessage>().SingleAsync(m => m.Id == claim.OutboxMessageId, cancellationToken);
        var deliveries = await db.Set<NoticeDelivery>().Include(d => d.Notice).ThenInclude(n => n!.Deliveries)
            .Include(d => d.Attempts.Where(a => a.OutboxMessageId == claim.OutboxMessageId))
            .Where(d => claim.Batch.DeliveryIds.Contains(d.Id))
            .ToListAsync(cancellationToken);

        if (sent.Failure is not { } failure)
        {
            outbox.MarkSent(nowUtc, sent.ProviderId);
            var followUp = false;
            foreach (var delivery in deliveries)
            {
                followUp |= delivery.RecordSent(delivery.Attempts.Single(), nowUtc, sent.ProviderId!);
            }

            return new NoticeOutcome(true, followUp);
        }

        outbox.MarkNotSent(failure.Message);
        foreach (var delivery in deliveries)
        {
            delivery.Attempts.Single().Finish(nowUtc, Outcome(failure.Kind), null, failure.Message);
            _ = failure.Kind == EmailFailureKind.Permanent
                ? delivery.DropIfUndone(nowUtc) || delivery.Fail(nowUtc, failure.Message)
                : delivery.RetryOrDrop(nowUtc, retry, failure.Message, failure.Kind == EmailFailureKind.Configuration ? HoldCode.EmailSettings : null);
        }

        return NoticeOutcome.NotSent;
    }

    private EmailMessage Compose(Batch batch, List<CancellationNotice> notices) => batch.Kind == DeliveryKind.Reinstatement
        ? NoticeMessages.Reinstated(batch.To, notices[0], clinic, baseUrl)
        : NoticeMessages.Digest(batch.To, notices, clinic, baseUrl);

    private static AttemptOutcome Outcome(EmailFailureKind kind) => kind switch
    {
        EmailFailureKind.Permanent => AttemptOutcome.Permanent,
        EmailFailureKind.Configuration => AttemptOutcome.Configuration,
        _ => AttemptOutcome.Transient,
    };
}
