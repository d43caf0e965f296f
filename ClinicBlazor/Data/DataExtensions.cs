using ClinicBlazor.Data.PostgreSql;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Data;

public static class DataExtensions
{
    public const string DefaultConnectionString = "Data Source=clinic.db";

    public const string ProviderKey = "Database:Provider";

    public const string ConnectionStringKey = "ConnectionStrings:Clinic";

    /// <summary>
    /// The clinic database: one context per operation through the factory (components never hold
    /// one), on SQLite or PostgreSQL by <c>Database:Provider</c>; the Data Protection keys live in it.
    /// </summary>
    public static WebApplicationBuilder AddClinicData(this WebApplicationBuilder builder)
    {
        var provider = Provider(builder.Configuration);
        builder.Services.AddSingleton(new ClinicDatabase(provider));
        if (provider == DatabaseProvider.PostgreSql)
        {
            builder.AddPostgreSqlClinicData();
        }
        else
        {
            builder.Services.AddSingleton<SqlitePragmas>();
            builder.Services.AddSingleton<Sqlite.SqliteWriterQueue>();
            builder.Services.AddSingleton<IDatabaseEngine, Sqlite.SqliteEngine>();
            builder.Services.AddDbContextFactory<ClinicDbContext>((services, options) => services.GetRequiredService<Sqlite.SqliteWriterQueue>().Join(options
                .UseSqlite(ConnectionString(services.GetRequiredService<IConfiguration>()), sqlite => sqlite.MigrationsAssembly(typeof(ClinicDbContext).Assembly.FullName))
                .AddInterceptors(services.GetRequiredService<SqlitePragmas>())));
        }

        // Keys in the database, under one application name: a cookie or antiforgery token issued by
        // one node is read by every other, and survives a redeploy to a fresh machine. At rest they
        // are encrypted with the operator's certificate, or kept in clear by choice (KeyRingOptions).
        builder.Services.AddDataProtection()
            .SetApplicationName("ClinicBlazor")
            .PersistKeysToDbContext<ClinicDbContext>()
            .ProtectKeysAsConfigured(builder.Configuration, builder.Environment);
        return builder;
    }

    public static DatabaseProvider Provider(IConfiguration configuration)
    {
        var value = configuration[ProviderKey];
        if (string.IsNullOrWhiteSpace(value))
        {
            return DatabaseProvider.Sqlite;
        }

        return Enum.TryParse<DatabaseProvider>(value.Trim(), ignoreCase: true, out var provider) && Enum.IsDefined(provider)
            ? provider
            : throw new InvalidOperationException($"{ProviderKey} is '{value}': use Sqlite (the default) or PostgreSql.");
    }

    public static string ConnectionString(IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Clinic");
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return connectionString;
        }

        return Provider(configuration) == DatabaseProvider.PostgreSql
            ? throw new InvalidOperationException($"{ProviderKey} is PostgreSql but {ConnectionStringKey} is empty: set it to the PostgreSQL connection string (Host=...;Database=...;Username=...;Password=...).")
            : DefaultConnectionString;
    }

    /// <summary>
    /// Held from migration to the end of seeding, so of two nodes starting at once on PostgreSQL the
    /// second waits and then finds the demo clinic or the first admin already there.
    /// </summary>
    public static async Task<IAsyncDisposable> LockClinicStartupAsync(this IServiceProvider services, CancellationToken cancellationToken = default) =>
        services.GetRequiredService<ClinicDatabase>().IsPostgreSql
            ? await PostgreSqlDatabase.LockStartupAsync(services, cancellationToken)
            : new NoStartupLock();

    /// <summary>
    /// Applies migrations: on SQLite after switching the file to WAL so readers never wait for the
    /// writer; on PostgreSQL with a sentence naming the host and the key when it cannot be reached.
    /// </summary>
    public static async Task MigrateClinicDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        if (services.GetRequiredService<ClinicDatabase>().Provider == DatabaseProvider.PostgreSql)
        {
            await PostgreSqlDatabase.MigrateAsync(services, cancellationToken);
            return;
        }

        var factory = services.GetRequiredService<IDbContextFactory<ClinicDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var dataSource = db.Database.GetDbConnection().DataSource;
        if (!string.IsNullOrEmpty(dataSource) && Path.GetDirectoryName(Path.GetFullPath(dataSource)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        await services.GetRequiredService<IDatabaseEngine>().PrepareAsync(db, cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        await db.Database.CloseConnectionAsync();
    }
}

/// <summary>Nothing to hold: one SQLite file has one node.</summary>
file sealed class NoStartupLock : IAsyncDisposable
{
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>The database engine this node runs on, for the few places that differ by engine.</summary>
public sealed record ClinicDatabase(DatabaseProvider Provider)
{
    public bool IsPostgreSql => Provider == DatabaseProvider.PostgreSql;
}
