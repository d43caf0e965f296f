using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Data.PostgreSql;

/// <summary>
/// The clinic's database on PostgreSQL: the same model, its own migration set
/// (Data/PostgreSql/Migrations), and the engine's ways of matching text without regard to case.
/// </summary>
public sealed class PostgreSqlClinicDbContext(DbContextOptions<PostgreSqlClinicDbContext> options) : ClinicDbContext(options)
{
    /// <summary>
    /// The collation the services name with <c>EF.Functions.Collate(x, "NOCASE")</c>, SQLite's
    /// built-in name: on PostgreSQL an ICU collation that ignores case, so the same query runs on both.
    /// </summary>
    public const string NoCase = "NOCASE";

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.HasCollation(NoCase, locale: "und-u-ks-level2", provider: "icu", deterministic: false);

        // Patient search and the duplicate warning use LIKE, which SQLite compares without case for
        // ASCII; citext's LIKE does the same (a nondeterministic collation cannot take LIKE before
        // PostgreSQL 18).
        builder.HasPostgresExtension("citext");
        builder.Entity<Features.Patients.Patient>(patient =>
        {
            patient.Property(p => p.FirstName).HasColumnType("citext");
            patient.Property(p => p.LastName).HasColumnType("citext");
            patient.Property(p => p.Email).HasColumnType("citext");
        });
    }
}
