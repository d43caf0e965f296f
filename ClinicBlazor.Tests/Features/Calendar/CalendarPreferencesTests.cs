using ClinicBlazor.Features.Calendar;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Calendar;

/// <summary>Each person's calendar choices are kept on the server, for them alone.</summary>
public sealed class CalendarPreferencesTests(ClinicAppFactory app) : IClassFixture<ClinicAppFactory>
{
    [Fact]
    public async Task A_receptionist_starts_on_the_first_practitioner_and_a_practitioner_on_themselves()
    {
        var (_, alex) = await PreferencesAsync(DemoSignIns.SecondReceptionist.Email);
        var (setup, tom) = await PreferencesAsync(DemoSignIns.SecondPractitioner.Email);

        Assert.Equal([setup.Practitioners[0].Id], alex.WeekPractitionerIds);
        Assert.Equal([setup.Practitioners.Single(p => p.DisplayName == DemoSignIns.SecondPractitioner.DisplayName).Id], tom.WeekPractitionerIds);
        Assert.True(alex.ShowCancelled);
        Assert.False(alex.ShowWeekend);
    }

    [Fact]
    public async Task Saved_choices_come_back_for_the_same_person_only()
    {
        var (setup, _) = await PreferencesAsync(DemoSignIns.Admin.Email);
        var chosen = setup.Practitioners.Skip(1).Take(2).Select(p => p.Id).ToList();
        await using (var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email))
        {
            await scope.ServiceProvider.GetRequiredService<CalendarPreferencesService>().SaveAsync(new CalendarPreferences(chosen, true, false));
        }

        var (_, after) = await PreferencesAsync(DemoSignIns.Admin.Email);
        var (_, someoneElse) = await PreferencesAsync(DemoSignIns.Receptionist.Email);

        Assert.Equal(chosen, after.WeekPractitionerIds);
        Assert.True(after.ShowWeekend);
        Assert.False(after.ShowCancelled);
        Assert.NotEqual(chosen, someoneElse.WeekPractitionerIds);
    }

    [Fact]
    public async Task Nobody_signed_in_is_refused()
    {
        CalendarSetup setup;
        await using (var staff = await app.ScopeForAsync(DemoSignIns.Receptionist.Email))
        {
            setup = await staff.ServiceProvider.GetRequiredService<CalendarService>().GetSetupAsync();
        }

        await using var scope = app.AnonymousScope();
        var preferences = scope.ServiceProvider.GetRequiredService<CalendarPreferencesService>();

        await Assert.ThrowsAsync<ClinicAuthorizationException>(() => preferences.GetAsync(setup));
        await Assert.ThrowsAsync<ClinicAuthorizationException>(() => preferences.SaveAsync(new CalendarPreferences([1], false, true)));
    }

    private async Task<(CalendarSetup Setup, CalendarPreferences Preferences)> PreferencesAsync(string email)
    {
        await using var scope = await app.ScopeForAsync(email);
        var setup = await scope.ServiceProvider.GetRequiredService<CalendarService>().GetSetupAsync();
        return (setup, await scope.ServiceProvider.GetRequiredService<CalendarPreferencesService>().GetAsync(setup));
    }
}
