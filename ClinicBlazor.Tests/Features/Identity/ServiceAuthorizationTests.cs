using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.MyInfo;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Identity;

public sealed class ServiceAuthorizationTests(ClinicAppFactory app) : IClassFixture<ClinicAppFactory>
{
    [Fact]
    public async Task Practitioner_asking_for_another_practitioners_profile_for_editing_is_refused()
    {
        var otherId = await UserIdAsync(DemoSignIns.SecondPractitioner.Email);
        await using var scope = await app.ScopeForAsync(DemoSignIns.Practitioner.Email);
        var myInfo = scope.ServiceProvider.GetRequiredService<MyInfoService>();

        await Assert.ThrowsAsync<ClinicAuthorizationException>(() => myInfo.GetForEditingAsync(otherId));
    }

    [Fact]
    public async Task Practitioner_may_load_their_own_profile_and_notices_start_off()
    {
        var ownId = await UserIdAsync(DemoSignIns.Practitioner.Email);
        await using var scope = await app.ScopeForAsync(DemoSignIns.Practitioner.Email);

        var details = await scope.ServiceProvider.GetRequiredService<MyInfoService>().GetForEditingAsync(ownId);

        Assert.Equal(DemoSignIns.Practitioner.Email, details.NotificationEmail);
        Assert.Equal(ClinicBlazor.Features.Staff.NotificationMethod.Off, details.NotificationMethod);
    }

    [Fact]
    public async Task Admin_may_load_any_practitioners_profile()
    {
        var practitionerId = await UserIdAsync(DemoSignIns.Practitioner.Email);
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);

        var details = await scope.ServiceProvider.GetRequiredService<MyInfoService>().GetForEditingAsync(practitionerId);

        Assert.NotNull(details.PractitionerId);
    }

    [Fact]
    public async Task Nobody_signed_in_is_refused_by_the_calendar_service()
    {
        await using var scope = app.AnonymousScope();
        var appointments = scope.ServiceProvider.GetRequiredService<ClinicBlazor.Features.Appointments.AppointmentService>();

        await Assert.ThrowsAsync<ClinicAuthorizationException>(() => appointments.ReinstateAsync(1));
    }

    private async Task<string> UserIdAsync(string email)
    {
        await using var scope = app.AnonymousScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email);
        return user!.Id;
    }
}
