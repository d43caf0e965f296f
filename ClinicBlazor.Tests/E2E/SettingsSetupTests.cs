using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.E2E;

/// <summary>A real clinic (no demo data) set up entirely from the browser by its first admin.</summary>
public sealed class SettingsSetupTests : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private const string AdminEmail = "manager@bayside.example";
    private const string AdminPassword = "Bayside#Admin1";

    private readonly BrowserFixture browser;
    private readonly ClinicAppFactory app = new ClinicAppFactory()
        .With("Demo:Seed", "false")
        .With("Setup:AdminEmail", AdminEmail)
        .With("Setup:AdminPassword", AdminPassword);

    public SettingsSetupTests(BrowserFixture browser) => this.browser = browser;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Admin_sets_up_an_empty_clinic_and_the_new_receptionist_signs_in_and_books()
    {
        var admin = await browser.SignedInPageAsync(app.ServerAddress, AdminEmail, AdminPassword);
        await admin.GotoAsync("/settings");
        await BrowserFixture.WaitForInteractiveAsync(admin);

        // Clinic
        await admin.GetByLabel("Clinic name").FillAsync("Bayside Physio");
        await admin.GetByLabel("Phone", new() { Exact = true }).FillAsync("02 9555 0101");
        await admin.GetByLabel("Time zone").FillAsync("Brisbane");
        await admin.GetByText("Australia/Brisbane", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(admin.GetByTestId("time-zone-warning")).ToContainTextAsync("keeps every appointment at the same moment in time");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save clinic details" }).ClickAsync();
        await Assertions.Expect(admin.GetByText("Clinic details saved.")).ToBeVisibleAsync();

        // Appointment type
        await admin.GetByRole(AriaRole.Tab, new() { Name = "Appointment types" }).ClickAsync();
        await admin.GetByLabel("Type name").FillAsync("Standard consultation");
        await admin.GetByLabel("Duration (minutes)").FillAsync("45");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Add type" }).ClickAsync();
        await Assertions.Expect(admin.GetByTestId("appointment-type-row")).ToContainTextAsync("Standard consultation");

        // Staff: a practitioner and a receptionist
        await admin.GetByRole(AriaRole.Tab, new() { Name = "Staff" }).ClickAsync();
        await AddStaffAsync(admin, "Nina Costa", "nina@bayside.example", "Practitioner");
        await AddStaffAsync(admin, "Ray Field", "ray@bayside.example", "Receptionist");
        var temporaryPassword = (await admin.GetByTestId("temporary-password").TextContentAsync())!.Trim();
        await Assertions.Expect(admin.GetByTestId("staff-row")).ToHaveCountAsync(3);

        // Nina's working week; the Availability tab opens on the first practitioner.
        await admin.GetByRole(AriaRole.Tab, new() { Name = "Availability" }).ClickAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Mon–Fri 08:30–17:30" }).ClickAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save working hours" }).ClickAsync();
        await Assertions.Expect(admin.GetByText("Working hours of Nina Costa saved.")).ToBeVisibleAsync();
        await admin.Context.CloseAsync();

        // The receptionist signs in with the temporary password and must choose their own.
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.ServerAddress.ToString() });
        var reception = await context.NewPageAsync();
        await reception.GotoAsync("/Account/Login");
        await reception.GetByLabel("Email").FillAsync("ray@bayside.example");
        await reception.GetByLabel("Password").FillAsync(temporaryPassword);
        await reception.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await reception.WaitForURLAsync("**/Account/ChangePassword");
        await reception.GetByLabel("Current password").FillAsync(temporaryPassword);
        await reception.GetByLabel("New password", new() { Exact = true }).FillAsync("Ray#Bayside2026");
        await reception.GetByLabel("Confirm new password").FillAsync("Ray#Bayside2026");
        await reception.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await reception.WaitForURLAsync(url => !url.Contains("/Account/", StringComparison.OrdinalIgnoreCase));
        await Assertions.Expect(reception.GetByTestId("clinic-name")).ToHaveTextAsync("Bayside Physio");
        await context.CloseAsync();

        // Booking: the calendar UI is built on another branch, so the receptionist books through
        // the same service the calendar calls, acting as themselves.
        int patientId;
        await using (var db = await app.CreateDbContextAsync())
        {
            var patient = new Patient { FirstName = "Jo", LastName = "Bloggs", Email = "jo@patients.example", CreatedAtUtc = app.UtcNow };
            db.Add(patient);
            await db.SaveChangesAsync();
            patientId = patient.Id;
        }

        await using var scope = await app.ScopeForAsync("ray@bayside.example");
        await using var read = await app.CreateDbContextAsync();
        var nina = await read.Set<Practitioner>().SingleAsync(p => p.DisplayName == "Nina Costa");
        var type = await read.Set<AppointmentType>().SingleAsync(t => t.Name == "Standard consultation");
        var clinic = await scope.ServiceProvider.GetRequiredService<ClinicDirectory>().GetAsync();
        var nextMonday = DateOnly.FromDateTime(clinic.ToLocal(app.UtcNow)).AddDays(7);
        while (nextMonday.DayOfWeek != DayOfWeek.Monday)
        {
            nextMonday = nextMonday.AddDays(1);
        }

        var booked = await scope.ServiceProvider.GetRequiredService<AppointmentService>()
            .BookAsync(new BookAppointment(patientId, nina.Id, type.Id, clinic.ToUtc(nextMonday.ToDateTime(new TimeOnly(10, 0)))));

        Assert.True(booked.Succeeded, booked.Error);
        Assert.True(await scope.ServiceProvider.GetRequiredService<AvailabilityService>()
            .IsWithinWorkingHoursAsync(nina.Id, booked.Value!.StartUtc, booked.Value.EndUtc));
        Assert.Equal(45, (booked.Value!.EndUtc - booked.Value.StartUtc).TotalMinutes);
        Assert.Equal("Bayside Physio", clinic.Name);
        Assert.Equal("Australia/Brisbane", clinic.TimeZoneId);
        Assert.Equal("(02) 9555 0101", clinic.Phone);
        Assert.Equal("nina@bayside.example", nina.NotificationEmail);
    }

    private static async Task AddStaffAsync(IPage admin, string name, string email, string role)
    {
        await admin.GetByLabel("Full name").FillAsync(name);
        await admin.GetByLabel("Sign-in email").FillAsync(email);
        await admin.GetByLabel(role, new() { Exact = true }).First.CheckAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Add staff member" }).ClickAsync();
        await Assertions.Expect(admin.GetByTestId("temporary-password")).ToBeVisibleAsync();
        await Assertions.Expect(admin.GetByText($"{email} can now sign in")).ToBeVisibleAsync();
    }
}
