using ClinicBlazor.Data;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Settings;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.DemoClinic;

/// <summary>
/// What an empty database gets at start-up: the demo clinic (Demo:Seed, on in Development), or a
/// real clinic's first admin from Setup:AdminEmail / Setup:AdminPassword.
/// </summary>
public sealed class ClinicStartup(
    IServiceProvider services,
    IConfiguration configuration,
    IHostEnvironment environment,
    ILogger<ClinicStartup> logger)
{
    public bool DemoSeedEnabled => configuration.GetValue<bool?>("Demo:Seed") ?? environment.IsDevelopment();

    public async Task PrepareAsync(CancellationToken cancellationToken = default)
    {
        // Every option registered with ValidateOnStart, checked now rather than when the host
        // starts: a wrong setting must stop the app before it migrates or seeds anything.
        services.GetService<IStartupValidator>()?.Validate();
        await using var startupLock = await services.LockClinicStartupAsync(cancellationToken);
        await services.MigrateClinicDatabaseAsync(cancellationToken);
        await using var scope = services.CreateAsyncScope();
        if (DemoSeedEnabled)
        {
            await scope.ServiceProvider.GetRequiredService<DemoClinicSeeder>().SeedAsync(cancellationToken);
            return;
        }

        var userManager = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var roleManager = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        await DemoClinicSeeder.EnsureRolesAsync(roleManager);
        var dbFactory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<ClinicDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Users.AnyAsync(cancellationToken))
        {
            return;
        }

        var email = configuration["Setup:AdminEmail"];
        var password = configuration["Setup:AdminPassword"];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(password))
        {
            throw new InvalidOperationException(
                "The database is empty and demo seeding is off: set Setup:AdminEmail and Setup:AdminPassword for the clinic's first admin, or set Demo:Seed=true for the demo clinic.");
        }

        logger.LogInformation("Creating the clinic's first admin from Setup:AdminEmail");
        try
        {
            await DemoClinicSeeder.EnsureUserAsync(userManager, "Practice manager", email.Trim(), password, [Roles.Admin]);
        }
        catch (InvalidOperationException exception)
        {
            throw new InvalidOperationException($"Setup:AdminEmail / Setup:AdminPassword were refused. {exception.Message}", exception);
        }

        if (!await db.Set<Clinic>().AnyAsync(cancellationToken))
        {
            db.Add(new Clinic
            {
                Name = "My clinic",
                BusinessHours = Enumerable.Range(1, 5)
                    .Select(day => new BusinessHours { Day = (DayOfWeek)day, Opens = new TimeOnly(8, 0), Closes = new TimeOnly(18, 0) })
                    .ToList(),
            });
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}

public static class DemoClinicExtensions
{
    public static WebApplicationBuilder AddClinicStartup(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<DemoClinicSeeder>();
        builder.Services.AddSingleton<ClinicStartup>();
        return builder;
    }

    /// <summary>Migrates and seeds before the app takes its first request.</summary>
    public static async Task PrepareClinicAsync(this WebApplication app)
    {
        await app.Services.GetRequiredService<ClinicStartup>().PrepareAsync();
    }
}
