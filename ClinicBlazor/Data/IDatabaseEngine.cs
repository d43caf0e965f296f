using ClinicBlazor.Features.Notifications;

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
}
