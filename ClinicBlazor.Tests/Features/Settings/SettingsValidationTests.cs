using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Settings;

/// <summary>Each invalid setting is refused with its own sentence, and nothing is saved.</summary>
public sealed class SettingsValidationTests(ClinicAppFactory app) : IClassFixture<ClinicAppFactory>
{
    private static readonly BusinessDay[] Weekdays =
        Enumerable.Range(1, 5).Select(d => new BusinessDay((DayOfWeek)d, true, new TimeOnly(8, 0), new TimeOnly(18, 0))).ToArray();

    private static readonly Dictionary<string, (Func<IServiceProvider, int, Task<string?>> Attempt, string Expected)> Cases = new()
    {
        ["empty clinic name"] = (
            async (s, _) => (await s.GetRequiredService<ClinicSettingsService>().SaveDetailsAsync(new ClinicDetails("  ", "", "AU", "Australia/Sydney", Weekdays))).Error,
            ClinicSettingsService.NameRequired),
        ["unknown time zone"] = (
            async (s, _) => (await s.GetRequiredService<ClinicSettingsService>().SaveDetailsAsync(new ClinicDetails("Renamed", "", "AU", "Mars/Olympus_Mons", Weekdays))).Error,
            ClinicSettingsService.UnknownTimeZone),
        ["invalid phone"] = (
            async (s, _) => (await s.GetRequiredService<ClinicSettingsService>().SaveDetailsAsync(new ClinicDetails("Renamed", "12", "AU", "Australia/Sydney", Weekdays))).Error,
            ClinicSettingsService.InvalidPhone),
        ["duration 0"] = (
            async (s, _) => (await s.GetRequiredService<AppointmentTypeSettingsService>().SaveAsync(new AppointmentTypeDraft(null, "Too short", 0, "#123456", true))).Error,
            AppointmentTypeSettingsService.DurationOutOfRange),
        ["duration 481"] = (
            async (s, _) => (await s.GetRequiredService<AppointmentTypeSettingsService>().SaveAsync(new AppointmentTypeDraft(null, "Too long", 481, "#123456", true))).Error,
            AppointmentTypeSettingsService.DurationOutOfRange),
        ["overlapping working hours"] = (
            async (s, practitionerId) => (await s.GetRequiredService<AvailabilitySettingsService>().SaveWorkingHoursAsync(practitionerId,
            [
                new WorkingPeriod(DayOfWeek.Monday, new TimeOnly(9, 0), new TimeOnly(12, 0)),
                new WorkingPeriod(DayOfWeek.Monday, new TimeOnly(11, 30), new TimeOnly(15, 0)),
            ])).Error,
            "Monday: 11:30–15:00 overlaps 09:00–12:00."),
        ["working hours ending before they start"] = (
            async (s, practitionerId) => (await s.GetRequiredService<AvailabilitySettingsService>().SaveWorkingHoursAsync(practitionerId,
                [new WorkingPeriod(DayOfWeek.Tuesday, new TimeOnly(17, 0), new TimeOnly(9, 0))])).Error,
            "Tuesday: working hours must end after they start."),
        ["time off ending before it starts"] = (
            async (s, practitionerId) => (await s.GetRequiredService<AvailabilitySettingsService>().AddTimeOffAsync(practitionerId,
                new TimeOffDraft(new DateOnly(2027, 3, 10), new DateOnly(2027, 3, 9), "Holiday"))).Error,
            AvailabilitySettingsService.TimeOffEndsBeforeStart),
        ["online booking horizon 0"] = (
            async (s, _) => (await s.GetRequiredService<ClinicSettingsService>().SaveOnlineBookingsAsync(
                new OnlineBookingSettings(true, 0, 24, new HashSet<int>(), new HashSet<int>()))).Error,
            ClinicSettingsService.HorizonOutOfRange),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Invalid_settings_are_refused_with_their_message_and_nothing_is_saved(string name)
    {
        var practitionerId = await PractitionerIdAsync();
        var before = await SnapshotAsync();
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);

        var error = await Cases[name].Attempt(scope.ServiceProvider, practitionerId);

        Assert.Equal(Cases[name].Expected, error);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_valid_clinic_change_is_saved_and_audited()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var settings = scope.ServiceProvider.GetRequiredService<ClinicSettingsService>();
        var details = await settings.GetDetailsAsync();

        var result = await settings.SaveDetailsAsync(details with { Phone = "0291234567" });

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("(02) 9123 4567", (await settings.GetDetailsAsync()).Phone);
        var audit = await scope.ServiceProvider.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(Area: AuditAreas.Clinic, Person: "Olivia"));
        var entry = Assert.Single(audit);
        Assert.Equal("Olivia Grant", entry.ActorName);
        Assert.Contains("Phone: '(02) 9000 1234' → '(02) 9123 4567'", entry.Change, StringComparison.Ordinal);
    }

    private async Task<int> PractitionerIdAsync()
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<Practitioner>().Where(p => p.User!.Email == DemoSignIns.SecondPractitioner.Email).Select(p => p.Id).SingleAsync();
    }

    /// <summary>Everything the cases could have written, as one comparable value.</summary>
    private async Task<string> SnapshotAsync()
    {
        _ = app.ServerAddress;
        await using var db = await app.CreateDbContextAsync();
        var clinic = await db.Set<Clinic>().Include(c => c.BusinessHours).SingleAsync();
        return string.Join("|",
            clinic.Name,
            clinic.Phone,
            clinic.TimeZoneId,
            clinic.OnlineBookingHorizonDays,
            await db.Set<AppointmentType>().CountAsync(),
            await db.Set<PractitionerWorkingHours>().CountAsync(),
            await db.Set<PractitionerTimeOff>().CountAsync(),
            await db.Set<AuditEntry>().CountAsync());
    }
}
