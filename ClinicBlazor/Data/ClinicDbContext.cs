using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Data;

/// <summary>The clinic's database: Identity's tables plus every feature's entities.</summary>
public sealed class ClinicDbContext(DbContextOptions<ClinicDbContext> options)
    : IdentityDbContext<StaffUser>(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(ClinicDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every instant is stored in UTC and read back as UTC (SQLite keeps no kind).
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
