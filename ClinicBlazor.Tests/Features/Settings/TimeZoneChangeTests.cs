using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Settings;

public sealed class TimeZoneChangeTests(ClinicAppFactory app) : IClassFixture<ClinicAppFactory>
{
    [Fact]
    public async Task Changing_the_time_zone_keeps_each_appointments_instant_and_shows_it_in_the_new_zone()
    {
        // Wednesday 13 January 2027, 09:00 in Sydney (AEDT, UTC+11) is 22:00 UTC the day before.
        var sydneyNine = new DateTime(2027, 1, 12, 22, 0, 0, DateTimeKind.Utc);
        int practitionerId;
        await using (var db = await app.CreateDbContextAsync())
        {
            practitionerId = await db.Set<Practitioner>().Where(p => p.User!.Email == DemoSignIns.Practitioner.Email).Select(p => p.Id).SingleAsync();
        }

        int appointmentId;
        await using (var reception = await app.ScopeForAsync(DemoSignIns.Receptionist.Email))
        {
            var clinic = await reception.ServiceProvider.GetRequiredService<ClinicDirectory>().GetAsync();
            Assert.Equal(sydneyNine, clinic.ToUtc(new DateTime(2027, 1, 13, 9, 0, 0)));
            var booked = await reception.ServiceProvider.GetRequiredService<AppointmentService>()
                .BookAsync(new BookAppointment(1, practitionerId, 1, sydneyNine));
            Assert.True(booked.Succeeded, booked.Error);
            appointmentId = booked.Value!.Id;
        }

        await using (var admin = await app.ScopeForAsync(DemoSignIns.Admin.Email))
        {
            var settings = admin.ServiceProvider.GetRequiredService<ClinicSettingsService>();
            var details = await settings.GetDetailsAsync();
            var result = await settings.SaveDetailsAsync(details with { TimeZoneId = "Australia/Perth" });
            Assert.True(result.Succeeded, result.Error);
        }

        await using var after = app.AnonymousScope();
        var perthClinic = await after.ServiceProvider.GetRequiredService<ClinicDirectory>().GetAsync();
        await using var check = await app.CreateDbContextAsync();
        var appointment = await check.Set<Appointment>().SingleAsync(a => a.Id == appointmentId);
        Assert.Equal("Australia/Perth", perthClinic.TimeZoneId);
        Assert.Equal(sydneyNine, appointment.StartUtc);
        Assert.Equal(new DateTime(2027, 1, 13, 6, 0, 0), perthClinic.ToLocal(appointment.StartUtc));
    }
}
