using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Settings;

/// <summary>Every settings service method refuses anyone but an admin, whatever the UI shows.</summary>
public sealed class SettingsAuthorizationTests(ClinicAppFactory app) : IClassFixture<ClinicAppFactory>
{
    private static readonly Dictionary<string, Func<IServiceProvider, Task>> Calls = new()
    {
        ["clinic details: read"] = s => s.GetRequiredService<ClinicSettingsService>().GetDetailsAsync(),
        ["clinic details: save"] = s => s.GetRequiredService<ClinicSettingsService>().SaveDetailsAsync(
            new ClinicDetails("Hijacked", "", "AU", "Australia/Sydney", [])),
        ["online bookings: read"] = s => s.GetRequiredService<ClinicSettingsService>().GetOnlineBookingsAsync(),
        ["online bookings: save"] = s => s.GetRequiredService<ClinicSettingsService>().SaveOnlineBookingsAsync(
            new OnlineBookingSettings(false, 10, 2, new HashSet<int>(), new HashSet<int>())),
        ["appointment types: list"] = s => s.GetRequiredService<AppointmentTypeSettingsService>().ListAsync(),
        ["appointment types: save"] = s => s.GetRequiredService<AppointmentTypeSettingsService>().SaveAsync(
            new AppointmentTypeDraft(null, "Sneaky", 30, "#000000", true)),
        ["appointment types: remove"] = s => s.GetRequiredService<AppointmentTypeSettingsService>().RemoveAsync(1),
        ["appointment types: restore"] = s => s.GetRequiredService<AppointmentTypeSettingsService>().RestoreAsync(1),
        ["staff: list"] = s => s.GetRequiredService<StaffService>().ListAsync(),
        ["staff: add"] = s => s.GetRequiredService<StaffService>().AddAsync(
            new NewStaffMember("Mallory", "mallory@example.com", new HashSet<string> { Roles.Admin })),
        ["staff: roles"] = s => s.GetRequiredService<StaffService>().SetRolesAsync("any", new HashSet<string> { Roles.Admin }),
        ["staff: future appointments"] = s => s.GetRequiredService<StaffService>().GetFutureAppointmentsAsync("any"),
        ["staff: deactivate"] = s => s.GetRequiredService<StaffService>().DeactivateAsync("any"),
        ["staff: reactivate"] = s => s.GetRequiredService<StaffService>().ReactivateAsync("any"),
        ["staff: reset password"] = s => s.GetRequiredService<StaffService>().ResetPasswordAsync("any"),
        ["availability: read"] = s => s.GetRequiredService<AvailabilitySettingsService>().GetAsync(1),
        ["availability: working hours"] = s => s.GetRequiredService<AvailabilitySettingsService>().SaveWorkingHoursAsync(1, []),
        ["availability: add time off"] = s => s.GetRequiredService<AvailabilitySettingsService>().AddTimeOffAsync(
            1, new TimeOffDraft(new DateOnly(2027, 1, 1), new DateOnly(2027, 1, 2), "")),
        ["availability: remove time off"] = s => s.GetRequiredService<AvailabilitySettingsService>().RemoveTimeOffAsync(1),
        ["audit: query"] = s => s.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery()),
    };

    public static TheoryData<string, string> NonAdminCalls()
    {
        var data = new TheoryData<string, string>();
        foreach (var email in new[] { DemoSignIns.Receptionist.Email, DemoSignIns.Practitioner.Email })
        {
            foreach (var call in Calls.Keys)
            {
                data.Add(email, call);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NonAdminCalls))]
    public async Task Settings_services_refuse_receptionists_and_practitioners(string email, string call)
    {
        await using var scope = await app.ScopeForAsync(email);

        await Assert.ThrowsAsync<ClinicAuthorizationException>(() => Calls[call](scope.ServiceProvider));
    }

    [Fact]
    public async Task Nothing_a_refused_call_tried_is_saved()
    {
        await using (var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email))
        {
            await Assert.ThrowsAsync<ClinicAuthorizationException>(() => Calls["clinic details: save"](scope.ServiceProvider));
        }

        await using var admin = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var details = await admin.ServiceProvider.GetRequiredService<ClinicSettingsService>().GetDetailsAsync();
        Assert.Equal("Harbourside Physio & Health", details.Name);
    }

    [Fact]
    public async Task Admin_may_use_every_settings_reader()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);

        var staff = await scope.ServiceProvider.GetRequiredService<StaffService>().ListAsync();
        var types = await scope.ServiceProvider.GetRequiredService<AppointmentTypeSettingsService>().ListAsync();
        var online = await scope.ServiceProvider.GetRequiredService<ClinicSettingsService>().GetOnlineBookingsAsync();

        Assert.Equal(8, staff.Count);
        Assert.Equal(3, types.Count);
        Assert.Equal(5, online.Practitioners.Count);
    }
}
