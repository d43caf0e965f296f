using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Data;

public static class DataExtensions
{
    public const string DefaultConnectionString = "Data Source=clinic.db";

    /// <summary>The clinic database: one context per operation through the factory (components never hold one).</summary>
    public static WebApplicationBuilder AddClinicData(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SqlitePragmas>();
        builder.Services.AddDbContextFactory<ClinicDbContext>((services, options) =>
        {
            // Read when the first context is made, not while Program.cs runs: configuration added
            // by a host (the integration tests' own database file) is only complete by then.
            var connectionString = services.GetRequiredService<IConfiguration>().GetConnectionString("Clinic");
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                connectionString = DefaultConnectionString;
            }

            options
                .UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(typeof(ClinicDbContext).Assembly.FullName))
                .AddInterceptors(services.GetRequiredService<SqlitePragmas>());
        });
        return builder;
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
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        await db.Database.CloseConnectionAsync();
    }
}
