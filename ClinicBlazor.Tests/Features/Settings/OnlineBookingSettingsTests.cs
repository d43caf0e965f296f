using ClinicBlazor.Features.Settings;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Settings;

public sealed class OnlineBookingSettingsTests(ClinicAppFactory app) : IClassFixture<ClinicAppFactory>
{
    [Fact]
    public async Task Online_booking_settings_and_what_is_offered_are_saved_and_audited()
    {
        await using var admin = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var settings = admin.ServiceProvider.GetRequiredService<ClinicSettingsService>();
        var before = await settings.GetOnlineBookingsAsync();
        var withoutFirstPractitioner = before.Settings.OfferedPractitionerIds.Skip(1).ToHashSet();
        var onlyFirstType = new HashSet<int> { before.AppointmentTypes[0].Id };

        var result = await settings.SaveOnlineBookingsAsync(new OnlineBookingSettings(false, 14, 48, withoutFirstPractitioner, onlyFirstType));

        Assert.True(result.Succeeded, result.Error);
        var after = await settings.GetOnlineBookingsAsync();
        Assert.False(after.Settings.Enabled);
        Assert.Equal(14, after.Settings.HorizonDays);
        Assert.Equal(48, after.Settings.CancellationCutoffHours);
        Assert.Equal(withoutFirstPractitioner, after.Settings.OfferedPractitionerIds);
        Assert.Equal(onlyFirstType, after.Settings.OfferedAppointmentTypeIds);
        var entry = Assert.Single(await admin.ServiceProvider.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(AuditAreas.OnlineBookings)));
        Assert.StartsWith("Online booking: 'on' → 'off'; Days ahead: '30' → '14'; Cancellation cut-off (hours): '24' → '48'", entry.Change, StringComparison.Ordinal);
        Assert.Contains($"{before.Practitioners[0].Name} no longer offered", entry.Change, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Telling_patients_of_the_clinics_changes_is_saved_and_audited()
    {
        await using var admin = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var settings = admin.ServiceProvider.GetRequiredService<ClinicSettingsService>();
        var before = await settings.GetDetailsAsync();
        Assert.True(before.TellPatientsByEmail);
        Assert.False(before.TellPatientsBySms);

        var result = await settings.SaveDetailsAsync(before with { TellPatientsByEmail = false, TellPatientsBySms = true });

        Assert.True(result.Succeeded, result.Error);
        var after = await settings.GetDetailsAsync();
        Assert.False(after.TellPatientsByEmail);
        Assert.True(after.TellPatientsBySms);
        var entry = Assert.Single(await admin.ServiceProvider.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(AuditAreas.Clinic)));
        Assert.Contains("Tell patients of the clinic's changes by email: 'on' → 'off'", entry.Change, StringComparison.Ordinal);
        Assert.Contains("Tell patients of the clinic's changes by SMS: 'off' → 'on'", entry.Change, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 24, ClinicSettingsService.HorizonOutOfRange)]
    [InlineData(366, 24, ClinicSettingsService.HorizonOutOfRange)]
    [InlineData(30, -1, ClinicSettingsService.CutoffOutOfRange)]
    [InlineData(30, 169, ClinicSettingsService.CutoffOutOfRange)]
    public async Task Out_of_range_numbers_are_refused(int horizonDays, int cutoffHours, string expected)
    {
        await using var admin = await app.ScopeForAsync(DemoSignIns.Admin.Email);

        var result = await admin.ServiceProvider.GetRequiredService<ClinicSettingsService>()
            .SaveOnlineBookingsAsync(new OnlineBookingSettings(true, horizonDays, cutoffHours, new HashSet<int>(), new HashSet<int>()));

        Assert.Equal(expected, result.Error);
    }
}
