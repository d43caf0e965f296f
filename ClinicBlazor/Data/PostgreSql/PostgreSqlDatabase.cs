using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClinicBlazor.Data.PostgreSql;

/// <summary>Registration, start-up migration and the start-up lock on PostgreSQL.</summary>
public static class PostgreSqlDatabase
{
    /// <summary>Held while a node migrates and seeds, so two nodes starting at once seed once.</summary>
    public const long StartupLockKey = 0x436C696E6963_02;

    /// <summary>Statements each connection keeps prepared: the app runs fewer distinct ones often.</summary>
    private const int AutoPreparedStatements = 100;

    internal static WebApplicationBuilder AddPostgreSqlClinicData(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<PostgreSqlWriterLock>();
        services.AddSingleton<IDatabaseEngine, PostgreSqlEngine>();
        services.AddDbContextFactory<PostgreSqlClinicDbContext>((provider, options) => options
            .UseNpgsql(AppConnectionString(provider.GetRequiredService<IConfiguration>()),
                npgsql => npgsql.MigrationsAssembly(typeof(PostgreSqlClinicDbContext).Assembly.FullName))
            .AddInterceptors(provider.GetRequiredService<PostgreSqlWriterLock>()));

        // Services, Identity's stores and the Data Protection key ring ask for ClinicDbContext.
        services.AddSingleton<IDbContextFactory<ClinicDbContext>, ClinicDbContextFactory>();
        services.AddScoped<ClinicDbContext>(provider => provider.GetRequiredService<PostgreSqlClinicDbContext>());

        // Live signals between nodes, and their state on /healthz.
        services.AddSingleton<PostgreSqlSignals>();
        services.AddHostedService(provider => provider.GetRequiredService<PostgreSqlSignals>());
        services.AddHealthChecks().AddCheck<ListenerHealthCheck>("listener");
        return builder;
    }

    /// <summary>
    /// The app's own connections: the configured string, with Npgsql preparing the statements it runs
    /// often (<c>Max Auto Prepare</c>) unless the operator set it: PostgreSQL then parses and plans a
    /// cancellation's dozen statements once per connection, not each time.
    /// </summary>
    internal static string AppConnectionString(IConfiguration configuration)
    {
        var settings = new NpgsqlConnectionStringBuilder(DataExtensions.ConnectionString(configuration));
        if (settings.MaxAutoPrepare == 0)
        {
            settings.MaxAutoPrepare = AutoPreparedStatements;
        }

        return settings.ConnectionString;
    }

    internal static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var connectionString = DataExtensions.ConnectionString(services.GetRequiredService<IConfiguration>());
        await using (var probe = await OpenAsync(connectionString, allowMissingDatabase: true, cancellationToken))
        {
        }

        var factory = services.GetRequiredService<IDbContextFactory<PostgreSqlClinicDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);

        // Migrate may have created the citext extension: the pool's connections must learn its type.
        await using var connection = new NpgsqlConnection(db.Database.GetConnectionString());
        await connection.OpenAsync(cancellationToken);
        await connection.ReloadTypesAsync(cancellationToken);
    }

    /// <summary>
    /// Holds a session-level advisory lock until disposed: the second node to start waits here
    /// while the first seeds the demo clinic or the first admin, then finds them there.
    /// </summary>
    internal static async Task<IAsyncDisposable> LockStartupAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var connectionString = DataExtensions.ConnectionString(services.GetRequiredService<IConfiguration>());
        if (await OpenAsync(connectionString, allowMissingDatabase: true, cancellationToken) is not { } connection)
        {
            await CreateDatabaseAsync(connectionString, cancellationToken);
            connection = (await OpenAsync(connectionString, allowMissingDatabase: false, cancellationToken))!;
        }

        // No command timeout: the other node may take a while to migrate and seed; if it dies, its
        // session ends and the lock is ours.
        await using var command = new NpgsqlCommand($"SELECT pg_advisory_lock({StartupLockKey})", connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new StartupLock(connection);
    }

    /// <summary>
    /// Creates the database unless it exists, under the start-up lock taken in the server's
    /// maintenance database: two nodes starting at once on a new server create it once.
    /// </summary>
    private static async Task CreateDatabaseAsync(string connectionString, CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = (await OpenAsync(maintenance.ConnectionString, allowMissingDatabase: false, cancellationToken))!;
        await using (var locking = new NpgsqlCommand($"SELECT pg_advisory_lock({StartupLockKey})", connection) { CommandTimeout = 0 })
        {
            await locking.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var exists = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = target.Database } } };
        if ((long)(await exists.ExecuteScalarAsync(cancellationToken))! == 0)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{target.Database!.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        // Closing this unpooled session releases its lock.
    }

    // Unlocked explicitly: a pooled connection's reset runs only when it is next used.
    private sealed class StartupLock(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using (var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({StartupLockKey})", connection))
            {
                await unlock.ExecuteNonQueryAsync();
            }

            await connection.DisposeAsync();
        }
    }

    /// <summary>Opens a connection, or fails with one sentence naming the server and the setting.</summary>
    private static async Task<NpgsqlConnection?> OpenAsync(string connectionString, bool allowMissingDatabase, CancellationToken cancellationToken)
    {
        NpgsqlConnection? connection = null;
        try
        {
            connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (PostgresException exception) when (allowMissingDatabase && exception.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            // Migrate creates the database.
            await connection!.DisposeAsync();
            return null;
        }
        catch (Exception exception) when (exception is NpgsqlException or SocketException or TimeoutException or ArgumentException)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            throw new InvalidOperationException(Unreachable(connectionString, exception), exception);
        }
    }

    internal static string Unreachable(string connectionString, Exception exception)
    {
        NpgsqlConnectionStringBuilder settings;
        try
        {
            settings = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            return $"{DataExtensions.ConnectionStringKey} is not a PostgreSQL connection string ({exception.Message.TrimEnd('.')}): use Host=...;Port=5432;Database=...;Username=...;Password=....";
        }

        var reason = exception is PostgresException postgres ? postgres.MessageText : (exception.InnerException ?? exception).Message;
        return $"PostgreSQL at {settings.Host}:{settings.Port} (database '{settings.Database}') cannot be reached ({reason.TrimEnd('.')}): check {DataExtensions.ConnectionStringKey} and that the server is running.";
    }

    /// <summary>Hands out the PostgreSQL context wherever the app asks for a <see cref="ClinicDbContext"/>.</summary>
    private sealed class ClinicDbContextFactory(IDbContextFactory<PostgreSqlClinicDbContext> inner) : IDbContextFactory<ClinicDbContext>
    {
        public ClinicDbContext CreateDbContext() => inner.CreateDbContext();

        public async Task<ClinicDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await inner.CreateDbContextAsync(cancellationToken);
    }
}
