namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// The email drain's hot writes, hand-written because EF's change tracking cost more than the
/// rest of a claim (see the throughput benchmark): one implementation per database engine, made by
/// <see cref="Data.IDatabaseEngine.EmailDispatchCommands"/> for one run's open connection, with the
/// table and column names taken from the EF model (SQLite's: <see cref="Data.Sqlite.SqliteEmailDispatchCommands"/>).
/// They mirror <see cref="NoticeDelivery.Claim"/>, <see cref="NoticeDelivery.MarkSent"/> and <see cref="OutboxMessage.MarkSent"/>.
/// </summary>
public interface IEmailDispatchCommands : IDisposable
{
    /// <summary>Inserts the rows (in <see cref="OutboxMessageState.Sending"/>) in the open transaction; returns their ids in order.</summary>
    Task<IReadOnlyList<int>> InsertOutboxRowsAsync(IReadOnlyList<OutboxMessage> rows, CancellationToken cancellationToken);

    /// <summary>
    /// In the open transaction: each delivery becomes Sending under the lease with one more attempt,
    /// and gets an InProgress attempt in its email. Returns the rows written (two per delivery).
    /// </summary>
    Task<int> ClaimAsync(IReadOnlyList<(int DeliveryId, int OutboxMessageId)> claims, DateTime nowUtc, DateTime leaseUntilUtc, CancellationToken cancellationToken);

    /// <summary>
    /// Its own short transaction: the deliveries, their attempts and the Outbox row become Sent. False,
    /// with nothing written, when a delivery's notice was reinstated meanwhile (the caller records it
    /// with its follow-up through EF).
    /// </summary>
    Task<bool> TryRecordSentAsync(IReadOnlyList<int> deliveryIds, int outboxMessageId, string providerId, DateTime nowUtc, CancellationToken cancellationToken);

    /// <summary>
    /// One statement, committed on its own: a queued email's Outbox row, still <see cref="OutboxMessageState.Sending"/>,
    /// becomes Sent as <see cref="OutboxMessage.MarkSent"/> leaves it (EF writes nothing else for it: no version,
    /// no attempt row). False, with nothing written, when it no longer is Sending (the caller records it through EF).
    /// </summary>
    Task<bool> TryRecordQueuedSentAsync(int outboxMessageId, string providerId, DateTime nowUtc, CancellationToken cancellationToken);
}
