using ClinicBlazor.Features.Patients;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Patients;

public class PatientServiceTests(ClinicAppFactory app) : IClassFixture<ClinicAppFactory>
{
    [Fact]
    public async Task Search_finds_patients_by_the_start_of_first_and_last_name_as_typed()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var patients = scope.ServiceProvider.GetRequiredService<PatientService>();

        var byLast = await patients.SearchAsync("smi");
        var byBoth = await patients.SearchAsync("jane sm");
        var none = await patients.SearchAsync("zzqx");

        Assert.Contains(byLast, p => p.FullName == "Jane Smith");
        // Every word must match; another test of this class may have added a second Jane Smith.
        Assert.NotEmpty(byBoth);
        Assert.All(byBoth, p => Assert.Equal("Jane Smith", p.FullName, ignoreCase: true));
        Assert.Empty(none);
    }

    [Fact]
    public async Task New_patient_mobile_in_the_clinics_local_format_is_stored_as_E164()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var patients = scope.ServiceProvider.GetRequiredService<PatientService>();

        var added = await patients.CreateAsync(new PatientForm { FirstName = "Nora", LastName = "Quinlan", Email = "nora@patients.example", Mobile = "0412 345 678" });

        Assert.True(added.Succeeded, added.Error);
        await using var db = await app.CreateDbContextAsync();
        Assert.Equal("+61412345678", (await db.Set<Patient>().SingleAsync(p => p.Id == added.Value)).MobileE164);
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("(02) 9000 1234")]
    public async Task An_invalid_or_landline_mobile_is_refused_at_the_mobile_field(string mobile)
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var patients = scope.ServiceProvider.GetRequiredService<PatientService>();

        var added = await patients.CreateAsync(new PatientForm { FirstName = "Ivy", LastName = "Mobileless", Mobile = mobile });

        Assert.False(added.Succeeded);
        Assert.Equal(nameof(PatientForm.Mobile), added.Field);
    }

    [Fact]
    public async Task A_patient_with_the_same_name_or_email_is_warned_about_and_added_only_when_staff_insist()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var patients = scope.ServiceProvider.GetRequiredService<PatientService>();
        var sameName = new PatientForm { FirstName = "jane", LastName = "SMITH" };
        var sameEmail = new PatientForm { FirstName = "Janet", LastName = "Smythe", Email = "Liam.Brown@patients.example" };

        var warnedName = await patients.CreateAsync(sameName);
        var warnedEmail = await patients.CreateAsync(sameEmail);
        var insisted = await patients.CreateAsync(sameName, allowDuplicate: true);

        Assert.Equal(PatientService.DuplicateField, warnedName.Field);
        Assert.Contains("Jane Smith", warnedName.Error, StringComparison.Ordinal);
        Assert.Equal(PatientService.DuplicateField, warnedEmail.Field);
        Assert.True(insisted.Succeeded, insisted.Error);
    }

    [Fact]
    public async Task Editing_a_patient_saves_their_details_and_their_appointments_are_listed()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var patients = scope.ServiceProvider.GetRequiredService<PatientService>();
        var liam = (await patients.SearchAsync("liam brown")).Single();

        var saved = await patients.UpdateAsync(liam.Id, new PatientForm { FirstName = "Liam", LastName = "Browne", Email = liam.Email, Mobile = "+61 413 000 111" });
        var appointments = await patients.GetAppointmentsAsync(liam.Id);

        Assert.True(saved.Succeeded, saved.Error);
        var reloaded = await patients.GetAsync(liam.Id);
        Assert.Equal("Browne", reloaded!.LastName);
        Assert.Equal("+61413000111", reloaded.MobileE164);
        await using var db = await app.CreateDbContextAsync();
        Assert.Equal(await db.Set<ClinicBlazor.Features.Appointments.Appointment>().CountAsync(a => a.PatientId == liam.Id), appointments.Count);
    }
}
