using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Data;

public static class DataExtensions
{
    public const string DefaultConnectionString = "Data Source=clinic.db";

    /// <summary>The clinic database: one context per operation through the factory (components never hold one).</summary>
    public static WebApplicationBuilder AddClinicData(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SqlitePragmas>();
        builder.Services.AddSingleton<IDatabaseEngine, Sqlite.SqliteEngine>();
        builder.Services.AddDbContextFactory<ClinicDbContext>((services, options) => options
            .UseSqlite(ConnectionString(services.GetRequiredService<IConfiguration>()), sqlite => sqlite.MigrationsAssembly(typeof(ClinicDbContext).Assembly.FullName))
            .AddInterceptors(services.GetRequiredService<SqlitePragmas>()));
        return builder;
    }

    public static string ConnectionString(IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Clinic");
        return string.IsNullOrWhiteSpace(connectionString) ? DefaultConnectionString : connectionString;
    }

    /// <summary>Applies migrations and switches the file to WAL so readers never wait for the writer.</summary>
    public static async Task MigrateClinicDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
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
