using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.DemoClinic;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Data;

public sealed class DatabaseTests(ClinicAppFactory app) : IClassFixture<ClinicAppFactory>
{
    [Fact]
    public async Task Fresh_database_migrates_and_the_model_has_no_pending_changes()
    {
        await using var db = await app.CreateDbContextAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges(), "The model has changes without a migration: run dotnet ef migrations add.");
    }

    [Fact]
    public async Task Database_uses_wal_and_foreign_keys()
    {
        await using var db = await app.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();

        Assert.Equal("wal", await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToAsyncEnumerable().FirstAsync());
        Assert.Equal(1L, await db.Database.SqlQueryRaw<long>("PRAGMA foreign_keys").ToAsyncEnumerable().FirstAsync());
        Assert.True(await db.Database.SqlQueryRaw<long>("PRAGMA busy_timeout").ToAsyncEnumerable().FirstAsync() >= 5000);
    }

    [Fact]
    public async Task Demo_clinic_has_its_people_and_two_weeks_of_appointments()
    {
        await using var db = await app.CreateDbContextAsync();

        Assert.Equal(8, await db.Users.CountAsync());
        Assert.Equal(5, await db.Set<ClinicBlazor.Features.Staff.Practitioner>().CountAsync());
        Assert.Equal(30, await db.Set<Patient>().CountAsync());
        Assert.Equal(3, await db.Set<AppointmentType>().CountAsync());
        var span = await db.Set<Appointment>().MaxAsync(a => a.StartUtc) - await db.Set<Appointment>().MinAsync(a => a.StartUtc);
        Assert.InRange(span.TotalDays, 12, 15);
    }

    [Fact]
    public async Task Demo_seeding_twice_creates_nothing_twice()
    {
        var before = await CountsAsync();

        await using (var scope = app.AnonymousScope())
        {
            await scope.ServiceProvider.GetRequiredService<DemoClinicSeeder>().SeedAsync();
            await scope.ServiceProvider.GetRequiredService<ClinicStartup>().PrepareAsync();
        }

        Assert.Equal(before, await CountsAsync());
    }

    private async Task<(int Users, int Patients, int Appointments, int Types, int Practitioners)> CountsAsync()
    {
        await using var db = await app.CreateDbContextAsync();
        return (await db.Users.CountAsync(), await db.Set<Patient>().CountAsync(), await db.Set<Appointment>().CountAsync(),
            await db.Set<AppointmentType>().CountAsync(), await db.Set<ClinicBlazor.Features.Staff.Practitioner>().CountAsync());
    }
}
