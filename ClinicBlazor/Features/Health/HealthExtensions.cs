using System.Text.Json;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Identity;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClinicBlazor.Features.Health;

/// <summary>The one row the health check rewrites: proof that the database still takes writes (disk full, read-only file).</summary>
public sealed class HealthProbe
{
    public int Id { get; set; }

    public DateTime CheckedUtc { get; set; }
}

internal sealed class HealthProbeConfiguration : IEntityTypeConfiguration<HealthProbe>
{
    public void Configure(EntityTypeBuilder<HealthProbe> builder)
    {
        builder.ToTable("HealthProbes");
        builder.Property(p => p.Id).ValueGeneratedNever();
    }
}

internal sealed class DatabaseHealthCheck(IDbContextFactory<ClinicDbContext> dbFactory, TimeProvider clock) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var now = clock.GetUtcNow().UtcDateTime;
            var written = await db.Set<HealthProbe>().Where(p => p.Id == 1)
                .ExecuteUpdateAsync(set => set.SetProperty(p => p.CheckedUtc, now), cancellationToken);
            if (written == 0)
            {
                db.Add(new HealthProbe { Id = 1, CheckedUtc = now });
                await db.SaveChangesAsync(cancellationToken);
            }

            return HealthCheckResult.Healthy("The database takes writes.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The database cannot be written.", exception);
        }
    }
}

public static class HealthExtensions
{
    public static WebApplicationBuilder AddClinicHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return builder;
    }

    /// <summary>
    /// /healthz: anyone (a load balancer) gets the overall status word; a signed-in admin also gets
    /// each check's status. Descriptions stay in the log: they may name hosts and folders.
    /// </summary>
    public static IEndpointRouteBuilder MapClinicHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            ResponseWriter = async (context, report) =>
            {
                context.Response.ContentType = "application/json";
                object body = context.User.IsInRole(Roles.Admin)
                    ? new
                    {
                        status = report.Status.ToString(),
                        checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString() }),
                    }
                    : new { status = report.Status.ToString() };
                await JsonSerializer.SerializeAsync(context.Response.Body, body);
            },
        }).AllowAnonymous();
        return endpoints;
    }
}
