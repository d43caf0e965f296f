using ClinicBlazor.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications;

/// <summary>What is due to be sent, and when the next thing will be: one query each, for both channels.</summary>
public static class DueDeliveries
{
    /// <summary>A due delivery; <see cref="Email"/> is its notice's address (a practitioner's digest goes to one).</summary>
    public sealed record Due(int Id, int PractitionerId, DeliveryKind Kind, DeliveryState State, string Email)
    {
        /// <summary>It may already have reached the provider (Unknown, or Sending when a process died): its log is read first.</summary>
        public bool MayHaveGone => State is DeliveryState.Unknown or DeliveryState.Sending;
    }

    /// <summary>
    /// The channel's deliveries due now, oldest first. A practitioner's pending cancellations go
    /// together, the batch window after the oldest of them; everything else by its own time
    /// (<see cref="NoticeDelivery.IsDue(DateTime)"/>).
    /// </summary>
    public static async Task<List<Due>> FindAsync(ClinicDbContext db, NoticeChannel channel, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var open = await db.Set<NoticeDelivery>().AsNoTracking()
            .Where(d => d.Channel == channel
                        && (d.State == DeliveryState.Pending || d.State == DeliveryState.Retrying || d.State == DeliveryState.Sending || d.State == DeliveryState.Unknown))
            .Select(d => new { d.Id, d.PractitionerId, d.Kind, d.State, d.DueAtUtc, d.NextAttemptAtUtc, d.LeaseUntilUtc, d.Notice!.Email })
            .ToListAsync(cancellationToken);

        var batchDue = open.Where(d => d.State == DeliveryState.Pending && d.Kind == DeliveryKind.Cancellation)
            .GroupBy(d => d.PractitionerId)
            .ToDictionary(g => g.Key, g => g.Min(d => d.DueAtUtc));
        return open
            .Where(d => d.State == DeliveryState.Pending && d.Kind == DeliveryKind.Cancellation
                ? batchDue[d.PractitionerId] <= nowUtc
                : NoticeDelivery.IsDue(d.State, d.DueAtUtc, d.NextAttemptAtUtc, d.LeaseUntilUtc, nowUtc))
            .OrderBy(d => d.Id)
            .Select(d => new Due(d.Id, d.PractitionerId, d.Kind, d.State, d.Email))
            .ToList();
    }

    /// <summary>When the next pending batch or retry (of a delivery or a queued message) falls due after now; null when nothing waits.</summary>
    public static async Task<DateTime?> NextAsync(ClinicDbContext db, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var nextRetry = await db.Set<NoticeDelivery>()
            .Where(d => d.State == DeliveryState.Retrying && d.NextAttemptAtUtc > nowUtc)
            .MinAsync(d => d.NextAttemptAtUtc, cancellationToken);
        var nextBatch = await db.Set<NoticeDelivery>()
            .Where(d => d.State == DeliveryState.Pending && d.DueAtUtc > nowUtc)
            .MinAsync(d => (DateTime?)d.DueAtUtc, cancellationToken);
        var nextQueued = await db.Set<OutboxMessage>()
            .Where(m => m.State == OutboxMessageState.Pending && m.NextAttemptAtUtc > nowUtc)
            .MinAsync(m => m.NextAttemptAtUtc, cancellationToken);
        return new[] { nextRetry, nextBatch, nextQueued }.Where(t => t is not null).Min();
    }
}
