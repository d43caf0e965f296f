using ClinicBlazor.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Settings;

/// <summary>Reads the clinic's profile (name, phone, time zone, hours): anyone may read it.</summary>
public sealed class ClinicDirectory(IDbContextFactory<ClinicDbContext> dbFactory)
{
    public async Task<Clinic> GetAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<Clinic>().AsNoTracking().Include(c => c.BusinessHours)
                   .SingleOrDefaultAsync(c => c.Id == Clinic.SingletonId, cancellationToken)
               ?? throw new InvalidOperationException("The clinic has not been set up: the start-up seeding did not run.");
    }
}

public static class SettingsExtensions
{
    public static WebApplicationBuilder AddClinicSettings(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ClinicDirectory>();
        builder.Services.AddScoped<AuditLog>();
        builder.Services.AddScoped<ClinicSettingsService>();
        builder.Services.AddScoped<AppointmentTypeSettingsService>();
        return builder;
    }
}
