using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.DemoClinic;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Settings;
using System.Globalization;
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
    public async Task Demo_clinic_has_its_people_and_ten_working_days_of_appointments_either_side_of_today()
    {
        await using var db = await app.CreateDbContextAsync();

        Assert.Equal(8, await db.Users.CountAsync());
        Assert.Equal(5, await db.Set<ClinicBlazor.Features.Staff.Practitioner>().CountAsync());
        Assert.Equal(30, await db.Set<Patient>().CountAsync());
        Assert.Equal(3, await db.Set<AppointmentType>().CountAsync());

        var clinic = await db.Set<Clinic>().SingleAsync();
        var today = DateOnly.FromDateTime(clinic.ToLocal(app.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime));
        var starts = await db.Set<Appointment>().Select(a => a.StartUtc).ToListAsync();
        var days = starts.Select(start => DateOnly.FromDateTime(clinic.ToLocal(start))).Distinct().Order().ToList();

        Assert.All(days, day => Assert.DoesNotContain(day.DayOfWeek, new[] { DayOfWeek.Saturday, DayOfWeek.Sunday }));
        Assert.Equal(DemoClinicSeeder.WorkingDaysEachSide, days.Count(day => day < today));
        Assert.Equal(DemoClinicSeeder.WorkingDaysEachSide, days.Count(day => day > today));
        var nextWorkingDay = Enumerable.Range(1, 3).Select(today.AddDays).First(day => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));
        Assert.Contains(nextWorkingDay, days);
    }

    [Theory]
    [InlineData("2026-11-28", "2026-11-16", "2026-12-11", false)] // a Saturday
    [InlineData("2026-11-29", "2026-11-16", "2026-12-11", false)] // a Sunday
    [InlineData("2026-10-04", "2026-09-21", "2026-10-16", false)] // Sydney's daylight-saving Sunday
    [InlineData("2026-11-30", "2026-11-16", "2026-12-14", true)]  // a Monday
    [InlineData("2026-12-31", "2026-12-17", "2027-01-14", true)]  // a Thursday at the year's end
    public void Demo_working_days_are_ten_either_side_whatever_day_today_is(string today, string first, string last, bool includesToday)
    {
        var day = DateOnly.Parse(today, CultureInfo.InvariantCulture);

        var days = DemoClinicSeeder.DemoWorkingDays(day);

        Assert.Equal(DateOnly.Parse(first, CultureInfo.InvariantCulture), days[0]);
        Assert.Equal(DateOnly.Parse(last, CultureInfo.InvariantCulture), days[^1]);
        Assert.Equal(includesToday, days.Contains(day));
        Assert.Equal(2 * DemoClinicSeeder.WorkingDaysEachSide + (includesToday ? 1 : 0), days.Count);
        Assert.All(days, d => Assert.DoesNotContain(d.DayOfWeek, new[] { DayOfWeek.Saturday, DayOfWeek.Sunday }));
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
