using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Settings;

public sealed class AppointmentTypeSettingsTests(ClinicAppFactory app) : IClassFixture<ClinicAppFactory>
{
    [Fact]
    public async Task A_type_appointments_use_is_archived_not_deleted_and_can_no_longer_be_booked()
    {
        int usedTypeId;
        await using (var db = await app.CreateDbContextAsync())
        {
            usedTypeId = await db.Set<Appointment>().Select(a => a.AppointmentTypeId).FirstAsync();
        }

        await using var admin = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var removed = await admin.ServiceProvider.GetRequiredService<AppointmentTypeSettingsService>().RemoveAsync(usedTypeId);

        Assert.Equal(RemovedAs.Archived, removed);
        await using var check = await app.CreateDbContextAsync();
        Assert.True((await check.Set<AppointmentType>().SingleAsync(t => t.Id == usedTypeId)).IsArchived);
        await using var reception = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var booking = await reception.ServiceProvider.GetRequiredService<AppointmentService>()
            .BookAsync(new BookAppointment(1, 1, usedTypeId, new DateTime(2027, 2, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Equal("Choose an appointment type.", booking.Error);

        Assert.True((await admin.ServiceProvider.GetRequiredService<AppointmentTypeSettingsService>().RestoreAsync(usedTypeId)).Succeeded);
    }

    [Fact]
    public async Task A_type_nothing_uses_is_deleted_and_both_changes_are_audited()
    {
        await using var admin = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var types = admin.ServiceProvider.GetRequiredService<AppointmentTypeSettingsService>();
        var added = await types.SaveAsync(new AppointmentTypeDraft(null, "Hydrotherapy", 40, "#00897B", BookableOnline: false));
        Assert.True(added.Succeeded, added.Error);

        var removed = await types.RemoveAsync(added.Value!.Id);

        Assert.Equal(RemovedAs.Deleted, removed);
        await using var check = await app.CreateDbContextAsync();
        Assert.False(await check.Set<AppointmentType>().AnyAsync(t => t.Name == "Hydrotherapy"));
        var audit = await admin.ServiceProvider.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(AuditAreas.AppointmentTypes, "Hydrotherapy"));
        Assert.Equal(["Deleted", "Added: 40 minutes, #00897B, not bookable online"], audit.Select(e => e.Change));
    }

    [Fact]
    public async Task Duplicate_names_are_refused_whatever_their_case()
    {
        await using var admin = await app.ScopeForAsync(DemoSignIns.Admin.Email);

        var result = await admin.ServiceProvider.GetRequiredService<AppointmentTypeSettingsService>()
            .SaveAsync(new AppointmentTypeDraft(null, "FOLLOW-UP", 30, "#123456", true));

        Assert.Equal(AppointmentTypeSettingsService.NameTaken, result.Error);
    }

    [Fact]
    public async Task Audit_filters_by_date_in_the_clinics_zone()
    {
        await using var admin = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        Assert.True((await admin.ServiceProvider.GetRequiredService<AppointmentTypeSettingsService>()
            .SaveAsync(new AppointmentTypeDraft(null, "Dry needling", 20, "#6d4c41", true))).Succeeded);
        var clinic = await admin.ServiceProvider.GetRequiredService<ClinicDirectory>().GetAsync();
        var today = DateOnly.FromDateTime(clinic.ToLocal(app.UtcNow));
        var audit = admin.ServiceProvider.GetRequiredService<AuditLog>();

        Assert.Contains(await audit.QueryAsync(new AuditQuery(From: today, To: today)), e => e.Subject == "Dry needling");
        Assert.DoesNotContain(await audit.QueryAsync(new AuditQuery(To: today.AddDays(-1))), e => e.Subject == "Dry needling");
        Assert.DoesNotContain(await audit.QueryAsync(new AuditQuery(Area: AuditAreas.Staff)), e => e.Subject == "Dry needling");
    }
}
