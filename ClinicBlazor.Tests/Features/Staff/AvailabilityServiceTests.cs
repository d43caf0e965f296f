using ClinicBlazor.Features.DemoClinic;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Staff;

/// <summary>Working hours and time off as the calendar and online booking read them (clinic in Australia/Sydney).</summary>
public sealed class AvailabilityServiceTests(ClinicAppFactory app) : IClassFixture<ClinicAppFactory>
{
    private static DateTime Utc(int year, int month, int day, int hour, int minute = 0) => new(year, month, day, hour, minute, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Demo_practitioners_work_weekdays_and_one_has_Wednesday_afternoons_off()
    {
        var priya = await PractitionerIdAsync(DemoSignIns.Practitioner.Email);
        var mei = await PractitionerIdAsync(DemoClinicSeeder.WednesdayAfternoonOff);
        await using var scope = app.AnonymousScope();
        var availability = scope.ServiceProvider.GetRequiredService<AvailabilityService>();
        var wednesday = new DateOnly(2027, 6, 16);

        // June: AEST, UTC+10.
        Assert.Equal([new UtcInterval(Utc(2027, 6, 15, 22, 30), Utc(2027, 6, 16, 7, 30))], await availability.GetWorkingWindowsAsync(priya, wednesday));
        Assert.Equal([new UtcInterval(Utc(2027, 6, 15, 22, 30), Utc(2027, 6, 16, 2, 30))], await availability.GetWorkingWindowsAsync(mei, wednesday));
        Assert.Empty(await availability.GetWorkingWindowsAsync(priya, new DateOnly(2027, 6, 19)));
    }

    [Fact]
    public async Task Several_periods_a_day_and_time_off_are_read_back()
    {
        var tom = await PractitionerIdAsync(DemoSignIns.SecondPractitioner.Email);
        await using (var admin = await app.ScopeForAsync(DemoSignIns.Admin.Email))
        {
            var settings = admin.ServiceProvider.GetRequiredService<AvailabilitySettingsService>();
            Assert.True((await settings.SaveWorkingHoursAsync(tom,
            [
                new WorkingPeriod(DayOfWeek.Tuesday, new TimeOnly(13, 0), new TimeOnly(17, 0)),
                new WorkingPeriod(DayOfWeek.Tuesday, new TimeOnly(8, 0), new TimeOnly(12, 0)),
                new WorkingPeriod(DayOfWeek.Thursday, new TimeOnly(8, 0), new TimeOnly(12, 0)),
            ])).Succeeded);
            Assert.True((await settings.AddTimeOffAsync(tom, new TimeOffDraft(new DateOnly(2027, 6, 22), new DateOnly(2027, 6, 23), "Conference"))).Succeeded);
        }

        await using var scope = app.AnonymousScope();
        var availability = scope.ServiceProvider.GetRequiredService<AvailabilityService>();

        Assert.Equal(
            [new UtcInterval(Utc(2027, 6, 14, 22), Utc(2027, 6, 15, 2)), new UtcInterval(Utc(2027, 6, 15, 3), Utc(2027, 6, 15, 7))],
            await availability.GetWorkingWindowsAsync(tom, new DateOnly(2027, 6, 15)));
        Assert.Empty(await availability.GetWorkingWindowsAsync(tom, new DateOnly(2027, 6, 22)));
        Assert.Single(await availability.GetWorkingWindowsAsync(tom, new DateOnly(2027, 6, 24)));
        Assert.Empty(await availability.GetWorkingWindowsAsync(tom, new DateOnly(2027, 6, 14)));
        Assert.True(await availability.IsWithinWorkingHoursAsync(tom, Utc(2027, 6, 15, 3), Utc(2027, 6, 15, 4)));
        Assert.False(await availability.IsWithinWorkingHoursAsync(tom, Utc(2027, 6, 15, 1, 30), Utc(2027, 6, 15, 2, 30)));
    }

    [Fact]
    public async Task Working_windows_follow_daylight_saving_changes()
    {
        var daniel = await PractitionerIdAsync("daniel@harbourside.example");
        await using (var admin = await app.ScopeForAsync(DemoSignIns.Admin.Email))
        {
            Assert.True((await admin.ServiceProvider.GetRequiredService<AvailabilitySettingsService>().SaveWorkingHoursAsync(daniel,
            [
                new WorkingPeriod(DayOfWeek.Sunday, new TimeOnly(1, 0), new TimeOnly(4, 0)),
                new WorkingPeriod(DayOfWeek.Sunday, new TimeOnly(9, 0), new TimeOnly(12, 0)),
            ])).Succeeded);
        }

        await using var scope = app.AnonymousScope();
        var availability = scope.ServiceProvider.GetRequiredService<AvailabilityService>();

        // Sunday 4 October 2026: clocks go forward at 02:00 (UTC+10 → UTC+11): 01:00–04:00 lasts two hours.
        Assert.Equal(
            [new UtcInterval(Utc(2026, 10, 3, 15), Utc(2026, 10, 3, 17)), new UtcInterval(Utc(2026, 10, 3, 22), Utc(2026, 10, 4, 1))],
            await availability.GetWorkingWindowsAsync(daniel, new DateOnly(2026, 10, 4)));

        // The Sunday before is all standard time.
        Assert.Equal(
            [new UtcInterval(Utc(2026, 9, 26, 15), Utc(2026, 9, 26, 18)), new UtcInterval(Utc(2026, 9, 26, 23), Utc(2026, 9, 27, 2))],
            await availability.GetWorkingWindowsAsync(daniel, new DateOnly(2026, 9, 27)));

        // Sunday 4 April 2027: clocks go back at 03:00 (UTC+11 → UTC+10): 01:00–04:00 lasts four hours.
        Assert.Equal(
            [new UtcInterval(Utc(2027, 4, 3, 14), Utc(2027, 4, 3, 18)), new UtcInterval(Utc(2027, 4, 3, 23), Utc(2027, 4, 4, 2))],
            await availability.GetWorkingWindowsAsync(daniel, new DateOnly(2027, 4, 4)));
    }

    [Fact]
    public async Task Many_practitioners_and_days_are_read_in_one_call()
    {
        var priya = await PractitionerIdAsync(DemoSignIns.Practitioner.Email);
        var mei = await PractitionerIdAsync(DemoClinicSeeder.WednesdayAfternoonOff);
        await using var scope = app.AnonymousScope();

        var week = await scope.ServiceProvider.GetRequiredService<AvailabilityService>()
            .GetWorkingWindowsAsync([priya, mei], new DateOnly(2027, 6, 14), new DateOnly(2027, 6, 20));

        Assert.Equal(7, week[priya].Count);
        Assert.Equal(5, week[priya].Values.Count(w => w.Count > 0));
        Assert.Equal(TimeSpan.FromHours(4), week[mei][new DateOnly(2027, 6, 16)].Single().EndUtc - week[mei][new DateOnly(2027, 6, 16)].Single().StartUtc);
    }

    private async Task<int> PractitionerIdAsync(string email)
    {
        _ = app.ServerAddress;
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<Practitioner>().Where(p => p.User!.Email == email).Select(p => p.Id).SingleAsync();
    }
}
