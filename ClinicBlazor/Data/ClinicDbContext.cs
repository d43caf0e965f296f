using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Identity;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Data;

/// <summary>
/// The clinic's database: Identity's tables, every feature's entities and the Data Protection keys
/// (so every node reads the same key ring). On PostgreSQL the app uses its subclass
/// <see cref="PostgreSql.PostgreSqlClinicDbContext"/>, which owns the PostgreSQL migration set.
/// </summary>
public class ClinicDbContext : IdentityDbContext<StaffUser>, IDataProtectionKeyContext
{
    public ClinicDbContext(DbContextOptions<ClinicDbContext> options)
        : base(options)
    {
    }

    protected ClinicDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>
    /// Set by the engine's narrow transactions (<see cref="IDatabaseEngine.BeginNarrowTransactionAsync"/>,
    /// <see cref="IDatabaseEngine.BeginScheduleTransactionAsync"/>) for the next transaction only: it keeps
    /// its rule with row and practitioner locks of its own, so on PostgreSQL the engine takes the writer
    /// lock shared as its first statement instead of <see cref="PostgreSql.PostgreSqlWriterLock"/> taking it whole.
    /// </summary>
    internal bool NextTransactionIsNarrow { get; set; }

    /// <summary>
    /// For a narrow transaction, which is rolled back whole when any of its saves fails: EF's savepoint
    /// around each save (two more round trips a save on PostgreSQL) would protect nothing.
    /// </summary>
    internal void LeaveSavepointsOut() => Database.AutoSavepointsEnabled = false;

    /// <summary>A narrow lock lasts as long as its transaction: outside one it would end with its own statement.</summary>
    internal void RequireNarrowLockTransaction()
    {
        if (Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A narrow lock belongs in a transaction: begin one with IDatabaseEngine.BeginNarrowTransactionAsync first.");
        }
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(ClinicDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every instant is stored in UTC and read back as UTC (SQLite keeps no kind; PostgreSQL's
        // timestamptz takes only UTC kinds).
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampVersions();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampVersions();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    // SQLite has no rowversion: versioned rows get a fresh token on every update, and EF compares
    // the original one in the UPDATE's WHERE clause (optimistic concurrency).
    private void StampVersions()
    {
        foreach (var entry in ChangeTracker.Entries<IVersioned>())
        {
            if (entry.State is EntityState.Modified or EntityState.Added)
            {
                entry.Entity.Version = Guid.NewGuid();
            }
        }
    }
}

/// <summary>An entity guarded by optimistic concurrency.</summary>
public interface IVersioned
{
    Guid Version { get; set; }
}
