using ClinicBlazor.Features.Notifications;
using Microsoft.EntityFrameworkCore.Storage;

namespace ClinicBlazor.Data;

/// <summary>
/// What differs between database engines in how the app drives them: statements only one engine
/// understands (SQLite's journal mode, pragmas and checkpoints) and the dispatcher's hand-written
/// commands. SQLite's is <see cref="Sqlite.SqliteEngine"/>; another engine implements this beside it
/// and <see cref="DataExtensions.AddClinicData"/> registers the one in use.
/// </summary>
public interface IDatabaseEngine
{
    /// <summary>Once at start-up, on the context that migrates, before migrating.</summary>
    Task PrepareAsync(ClinicDbContext db, CancellationToken cancellationToken);

    /// <summary>A dispatcher run is about to drain email on this context's open connection.</summary>
    Task BeginDrainAsync(ClinicDbContext db, CancellationToken cancellationToken);

    /// <summary>The drain is over: the connection goes back to the pool as it was.</summary>
    Task EndDrainAsync(ClinicDbContext db);

    /// <summary>The email drain's hand-written commands on this context's open connection, for one run.</summary>
    IEmailDispatchCommands EmailDispatchCommands(ClinicDbContext db);

    /// <summary>
    /// Begins a transaction that keeps its rule with the narrow locks below (the dispatcher's claims
    /// and records, an admin's Resend), so that on PostgreSQL such transactions run beside each other,
    /// on any node, and wait only for a transaction that takes the whole writer lock. On SQLite, BEGIN
    /// IMMEDIATE as every transaction: there the locks below have nothing left to do.
    /// </summary>
    Task<IDbContextTransaction> BeginNarrowTransactionAsync(ClinicDbContext db, CancellationToken cancellationToken);

    /// <summary>
    /// Begins a narrow transaction that changes the schedules of <paramref name="practitionerIds"/> and,
    /// with <paramref name="appointmentId"/>, of that appointment's practitioner: it waits for each of
    /// their schedules (lowest id first), so no two changes to one practitioner's schedule (booking,
    /// moving, cancelling, reinstating, staff or online) overlap, while other practitioners' go on
    /// beside it. With an appointment it then waits for the deliveries of that appointment's open
    /// notices (and their practitioners' email claims): a claim passes over them until it ends, and
    /// what the transaction reads of them is current. The appointment may have moved to another
    /// practitioner while it waited: the caller reads it and checks <see cref="ScheduleTransaction.Holds"/>.
    /// </summary>
    Task<ScheduleTransaction> BeginScheduleTransactionAsync(ClinicDbContext db, int? appointmentId, IReadOnlyCollection<int> practitionerIds, CancellationToken cancellationToken);

    /// <summary>
    /// In a narrow transaction: waits for and locks the deliveries (<c>FOR UPDATE</c>), so a claim
    /// passes over them and another writer waits until this transaction ends; what is read after it is current.
    /// </summary>
    Task LockDeliveriesAsync(ClinicDbContext db, IReadOnlyCollection<int> deliveryIds, CancellationToken cancellationToken);

    /// <summary>
    /// In a narrow transaction: waits for the patient details behind <paramref name="email"/> (ignoring
    /// case), so two bookings by one new patient at once find or add one patient record.
    /// </summary>
    Task LockPatientDetailsAsync(ClinicDbContext db, string email, CancellationToken cancellationToken);

    /// <summary>
    /// In a narrow transaction: the practitioners whose due email is this transaction's to claim until
    /// it ends, leaving out, without waiting, those another node's claim holds. A digest is never split.
    /// </summary>
    Task<IReadOnlySet<int>> LockFreePractitionersEmailAsync(ClinicDbContext db, IReadOnlyCollection<int> practitionerIds, CancellationToken cancellationToken);

    /// <summary>
    /// In a narrow transaction: locks those of the deliveries that no other transaction holds, without
    /// waiting for the rest, and returns the ids it locked. Statements after it see their latest state.
    /// </summary>
    Task<IReadOnlySet<int>> LockFreeDeliveriesAsync(ClinicDbContext db, IReadOnlyCollection<int> deliveryIds, CancellationToken cancellationToken);

    /// <summary>
    /// In a narrow transaction: locks those of the Outbox rows that no other transaction holds, without
    /// waiting for the rest (another node is claiming or recording them), and returns the ids it locked.
    /// Statements after it see their latest state.
    /// </summary>
    Task<IReadOnlySet<int>> LockFreeOutboxMessagesAsync(ClinicDbContext db, IReadOnlyCollection<int> messageIds, CancellationToken cancellationToken);

    /// <summary>In a narrow transaction: waits for and locks the Outbox rows (<c>FOR UPDATE</c>); what is read after it is current.</summary>
    Task LockOutboxMessagesAsync(ClinicDbContext db, IReadOnlyCollection<int> messageIds, CancellationToken cancellationToken);
}
