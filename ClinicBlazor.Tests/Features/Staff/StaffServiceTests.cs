using System.Net;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Staff;

public sealed class StaffServiceTests(ClinicAppFactory app) : IClassFixture<ClinicAppFactory>
{
    [Fact]
    public async Task Added_staff_member_signs_in_with_the_temporary_password_and_must_change_it()
    {
        var added = await AddAsync("Rosa Diaz", "rosa@example.com", Roles.Receptionist);
        using var client = new SignInClient(app.ServerAddress);

        var response = await client.SignInAsync(added.Email, added.TemporaryPassword);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/ChangePassword", PathOf(response.Headers.Location));
    }

    [Fact]
    public async Task Adding_a_practitioner_creates_their_profile_with_the_sign_in_email_for_notices()
    {
        await AddAsync("Kai Moana", "kai@example.com", Roles.Practitioner, "Osteopath");

        await using var db = await app.CreateDbContextAsync();
        var practitioner = await db.Set<Practitioner>().SingleAsync(p => p.User!.Email == "kai@example.com");
        Assert.Equal("Kai Moana", practitioner.DisplayName);
        Assert.Equal("Osteopath", practitioner.Title);
        Assert.Equal("kai@example.com", practitioner.NotificationEmail);
        Assert.True(practitioner.IsActive);
    }

    [Fact]
    public async Task Deactivated_staff_member_cannot_sign_in()
    {
        var added = await AddAsync("Temp Worker", "temp@example.com", Roles.Receptionist);
        await using (var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email))
        {
            var result = await scope.ServiceProvider.GetRequiredService<StaffService>().DeactivateAsync(added.UserId);
            Assert.True(result.Succeeded, result.Error);
        }

        using var client = new SignInClient(app.ServerAddress);
        var response = await client.SignInAsync(added.Email, added.TemporaryPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("deactivated", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reactivated_staff_member_can_sign_in_again()
    {
        var added = await AddAsync("Back Again", "back@example.com", Roles.Receptionist);
        await using (var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email))
        {
            var staff = scope.ServiceProvider.GetRequiredService<StaffService>();
            Assert.True((await staff.DeactivateAsync(added.UserId)).Succeeded);
            Assert.True((await staff.ReactivateAsync(added.UserId)).Succeeded);
        }

        using var client = new SignInClient(app.ServerAddress);
        var response = await client.SignInAsync(added.Email, added.TemporaryPassword);

        Assert.Equal("/Account/ChangePassword", PathOf(response.Headers.Location));
    }

    [Fact]
    public async Task Last_active_admin_cannot_be_demoted_or_deactivated()
    {
        var ownerId = await UserIdAsync(DemoSignIns.Admin.Email);
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var staff = scope.ServiceProvider.GetRequiredService<StaffService>();

        var demoted = await staff.SetRolesAsync(ownerId, new HashSet<string> { Roles.Receptionist });
        var deactivated = await staff.DeactivateAsync(ownerId);

        Assert.Equal(StaffService.LastAdmin, demoted.Error);
        Assert.Equal(StaffService.LastAdmin, deactivated.Error);
        await using var check = app.AnonymousScope();
        var users = check.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var owner = await users.FindByIdAsync(ownerId);
        Assert.True(owner!.IsActive);
        Assert.True(await users.IsInRoleAsync(owner, Roles.Admin));
    }

    [Fact]
    public async Task An_admin_may_be_demoted_while_another_admin_is_active()
    {
        var added = await AddAsync("Second Manager", "manager2@example.com", Roles.Admin);
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);

        var result = await scope.ServiceProvider.GetRequiredService<StaffService>().SetRolesAsync(added.UserId, new HashSet<string> { Roles.Receptionist });

        Assert.True(result.Succeeded, result.Error);
        var member = (await scope.ServiceProvider.GetRequiredService<StaffService>().ListAsync()).Single(s => s.UserId == added.UserId);
        Assert.Equal([Roles.Receptionist], member.Roles);
        var audit = await scope.ServiceProvider.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(AuditAreas.Staff, "Second Manager"));
        Assert.Contains(audit, e => e.Change == "Roles: 'Admin' → 'Receptionist'");
    }

    [Fact]
    public async Task Practitioner_with_future_appointments_cannot_be_deactivated_and_the_appointments_are_listed()
    {
        var priyaId = await UserIdAsync(DemoSignIns.Practitioner.Email);
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var staff = scope.ServiceProvider.GetRequiredService<StaffService>();
        var future = await staff.GetFutureAppointmentsAsync(priyaId);

        var result = await staff.DeactivateAsync(priyaId);

        Assert.NotEmpty(future);
        Assert.Equal($"Priya Patel has {future.Count} future appointment(s): move or cancel them first.", result.Error);
        await using var db = await app.CreateDbContextAsync();
        Assert.True((await db.Users.SingleAsync(u => u.Id == priyaId)).IsActive);
        Assert.True((await db.Set<Practitioner>().SingleAsync(p => p.UserId == priyaId)).IsActive);
    }

    [Fact]
    public async Task Practitioner_whose_future_appointments_are_cancelled_can_be_deactivated()
    {
        var added = await AddAsync("Short Stay", "short@example.com", Roles.Practitioner);
        int practitionerId;
        await using (var db = await app.CreateDbContextAsync())
        {
            practitionerId = await db.Set<Practitioner>().Where(p => p.UserId == added.UserId).Select(p => p.Id).SingleAsync();
        }

        await using var reception = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var appointments = reception.ServiceProvider.GetRequiredService<AppointmentService>();
        var booked = await appointments.BookAsync(new BookAppointment(1, practitionerId, 1, app.UtcNow.AddDays(3)));
        Assert.True(booked.Succeeded, booked.Error);

        await using var admin = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var staff = admin.ServiceProvider.GetRequiredService<StaffService>();
        Assert.False((await staff.DeactivateAsync(added.UserId)).Succeeded);
        Assert.True((await appointments.CancelAsync(new CancelAppointment(booked.Value!.Id))).Succeeded);

        var result = await staff.DeactivateAsync(added.UserId);

        Assert.True(result.Succeeded, result.Error);
    }

    [Fact]
    public async Task New_staff_member_needs_a_name_a_valid_unused_email_and_a_role()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var staff = scope.ServiceProvider.GetRequiredService<StaffService>();
        var receptionist = new HashSet<string> { Roles.Receptionist };

        Assert.Equal(StaffService.NameRequired, (await staff.AddAsync(new NewStaffMember(" ", "x@example.com", receptionist))).Error);
        Assert.Equal(StaffService.EmailInvalid, (await staff.AddAsync(new NewStaffMember("X", "not an email", receptionist))).Error);
        Assert.Equal(StaffService.EmailTaken, (await staff.AddAsync(new NewStaffMember("X", DemoSignIns.Receptionist.Email, receptionist))).Error);
        Assert.Equal(StaffService.RoleRequired, (await staff.AddAsync(new NewStaffMember("X", "x@example.com", new HashSet<string>()))).Error);
        await using var db = await app.CreateDbContextAsync();
        Assert.False(await db.Users.AnyAsync(u => u.Email == "x@example.com"));
    }

    private async Task<AddedStaffMember> AddAsync(string name, string email, string role, string title = "")
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var result = await scope.ServiceProvider.GetRequiredService<StaffService>().AddAsync(new NewStaffMember(name, email, new HashSet<string> { role }, title));
        Assert.True(result.Succeeded, result.Error);
        return result.Value!;
    }

    private static string? PathOf(Uri? location) => location is null ? null : location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString;

    private async Task<string> UserIdAsync(string email)
    {
        await using var scope = app.AnonymousScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email);
        return user!.Id;
    }
}
