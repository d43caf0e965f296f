using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Calendar;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Calendar;

public class AppointmentServiceTests(FakeClockClinicAppFactory app) : IClassFixture<FakeClockClinicAppFactory>
{
    private static int nextDay;

    [Fact]
    public async Task Booking_a_slot_that_overlaps_another_appointment_of_the_practitioner_is_refused_at_the_start_field()
    {
        var (practitionerId, patientId, followUp) = await IdsAsync();
        var tenAm = await FreeLocalTimeAsync(10, 0);
        await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var appointments = scope.ServiceProvider.GetRequiredService<AppointmentService>();
        var first = await appointments.BookAsync(new BookAppointment(patientId, practitionerId, followUp.Id, tenAm));
        Assert.True(first.Succeeded, first.Error);

        var overlapping = await appointments.BookAsync(new BookAppointment(patientId, practitionerId, followUp.Id, tenAm.AddMinutes(15)));
        var backToBack = await appointments.BookAsync(new BookAppointment(patientId, practitionerId, followUp.Id, tenAm.AddMinutes(followUp.DurationMinutes)));

        Assert.False(overlapping.Succeeded);
        Assert.Equal(AppointmentService.SlotTaken, overlapping.Error);
        Assert.Equal(nameof(BookAppointment.StartUtc), overlapping.Field);
        Assert.True(backToBack.Succeeded, backToBack.Error);
    }

    [Fact]
    public async Task Cancelling_records_who_when_source_reason_and_note()
    {
        var appointmentId = await BookAsync();
        await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var appointments = scope.ServiceProvider.GetRequiredService<AppointmentService>();

        var cancelled = await appointments.CancelAsync(new CancelAppointment(appointmentId, CancellationReason.Sick, "  Has the flu  "));

        Assert.True(cancelled.Succeeded, cancelled.Error);
        await using var db = await app.CreateDbContextAsync();
        var stored = await db.Set<Appointment>().SingleAsync(a => a.Id == appointmentId);
        Assert.Equal(AppointmentStatus.Cancelled, stored.Status);
        Assert.Equal(FakeClockClinicAppFactory.Now.UtcDateTime, stored.CancelledAtUtc);
        Assert.Equal(await UserIdAsync(DemoSignIns.Receptionist.Email), stored.CancelledByUserId);
        Assert.Equal("Sam at reception", stored.CancelledByName);
        Assert.Equal(CancellationSource.Staff, stored.CancellationSource);
        Assert.Equal(CancellationReason.Sick, stored.CancellationReason);
        Assert.Equal("Has the flu", stored.CancellationNote);
    }

    [Fact]
    public async Task Cancelling_an_already_cancelled_appointment_is_refused()
    {
        var appointmentId = await BookAsync();
        await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var appointments = scope.ServiceProvider.GetRequiredService<AppointmentService>();
        Assert.True((await appointments.CancelAsync(new CancelAppointment(appointmentId, CancellationReason.Away))).Succeeded);

        var again = await appointments.CancelAsync(new CancelAppointment(appointmentId, CancellationReason.Work));

        Assert.False(again.Succeeded);
        Assert.Equal("This appointment is already cancelled.", again.Error);
        await using var db = await app.CreateDbContextAsync();
        Assert.Equal(CancellationReason.Away, (await db.Set<Appointment>().SingleAsync(a => a.Id == appointmentId)).CancellationReason);
    }

    [Fact]
    public async Task Undo_restores_the_appointment_as_booked()
    {
        var appointmentId = await BookAsync();
        await using var scope = await app.ScopeForAsync(DemoSignIns.SecondReceptionist.Email);
        var appointments = scope.ServiceProvider.GetRequiredService<AppointmentService>();
        Assert.True((await appointments.CancelAsync(new CancelAppointment(appointmentId, CancellationReason.FeelingBetter, "Better"))).Succeeded);

        var undone = await appointments.ReinstateAsync(appointmentId);

        Assert.True(undone.Succeeded, undone.Error);
        await using var db = await app.CreateDbContextAsync();
        var stored = await db.Set<Appointment>().SingleAsync(a => a.Id == appointmentId);
        Assert.Equal(AppointmentStatus.Booked, stored.Status);
        Assert.Null(stored.CancelledAtUtc);
        Assert.Null(stored.CancellationReason);
        Assert.Null(stored.CancellationNote);
    }

    [Fact]
    public async Task Second_of_two_people_editing_the_same_appointment_is_told_it_was_changed_by_someone_else()
    {
        var appointmentId = await BookAsync();
        await using var samScope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        await using var alexScope = await app.ScopeForAsync(DemoSignIns.SecondReceptionist.Email);

        // Both open the appointment before either saves.
        var samsCopy = await samScope.ServiceProvider.GetRequiredService<CalendarService>().GetDetailsAsync(appointmentId);
        var alexsCopy = await alexScope.ServiceProvider.GetRequiredService<CalendarService>().GetDetailsAsync(appointmentId);
        Assert.Equal(samsCopy!.Version, alexsCopy!.Version);

        var samMoves = await samScope.ServiceProvider.GetRequiredService<AppointmentService>()
            .MoveAsync(new MoveAppointment(appointmentId, samsCopy.PractitionerId, samsCopy.StartUtc.AddHours(1), samsCopy.Version));
        var alexCancels = await alexScope.ServiceProvider.GetRequiredService<AppointmentService>()
            .CancelAsync(new CancelAppointment(appointmentId, CancellationReason.Other, null, alexsCopy.Version));
        var alexMoves = await alexScope.ServiceProvider.GetRequiredService<AppointmentService>()
            .MoveAsync(new MoveAppointment(appointmentId, alexsCopy.PractitionerId, alexsCopy.StartUtc.AddHours(2), alexsCopy.Version));

        Assert.True(samMoves.Succeeded, samMoves.Error);
        Assert.Equal(AppointmentService.ChangedBySomeoneElse, alexCancels.Error);
        Assert.Equal(AppointmentService.ChangedBySomeoneElse, alexMoves.Error);
        await using var db = await app.CreateDbContextAsync();
        var stored = await db.Set<Appointment>().SingleAsync(a => a.Id == appointmentId);
        Assert.Equal(AppointmentStatus.Booked, stored.Status);
        Assert.Equal(samsCopy.StartUtc.AddHours(1), stored.StartUtc);
    }

    [Fact]
    public async Task Two_contexts_saving_the_same_appointment_the_second_fails_on_the_version_token()
    {
        var appointmentId = await BookAsync();
        await using var first = await app.CreateDbContextAsync();
        await using var second = await app.CreateDbContextAsync();
        var firstCopy = await first.Set<Appointment>().SingleAsync(a => a.Id == appointmentId);
        var secondCopy = await second.Set<Appointment>().SingleAsync(a => a.Id == appointmentId);

        firstCopy.StartUtc = firstCopy.StartUtc.AddMinutes(30);
        firstCopy.EndUtc = firstCopy.EndUtc.AddMinutes(30);
        await first.SaveChangesAsync();
        secondCopy.CancellationNote = "overwrite";

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
    }

    [Fact]
    public async Task Calendar_reads_a_range_in_one_query_with_patient_and_type()
    {
        var appointmentId = await BookAsync();
        await using var scope = await app.ScopeForAsync(DemoSignIns.Practitioner.Email);
        var calendar = scope.ServiceProvider.GetRequiredService<CalendarService>();
        var details = await calendar.GetDetailsAsync(appointmentId);

        var range = await calendar.GetAppointmentsAsync(details!.StartUtc.Date, details.StartUtc.Date.AddDays(1));

        var block = Assert.Single(range, a => a.Id == appointmentId);
        Assert.Equal(details.PatientName, block.PatientName);
        Assert.Equal(details.TypeName, block.TypeName);
        Assert.False(block.IsCancelled);
    }

    private async Task<int> BookAsync()
    {
        var (practitionerId, patientId, followUp) = await IdsAsync();
        var start = await FreeLocalTimeAsync(11, 0);
        await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var booked = await scope.ServiceProvider.GetRequiredService<AppointmentService>()
            .BookAsync(new BookAppointment(patientId, practitionerId, followUp.Id, start));
        Assert.True(booked.Succeeded, booked.Error);
        return booked.Value!.Id;
    }

    /// <summary>A weekday beyond the demo's two weeks, a different one per call, so tests never share a slot.</summary>
    private async Task<DateTime> FreeLocalTimeAsync(int hour, int minute)
    {
        await using var db = await app.CreateDbContextAsync();
        var clinic = await db.Set<Clinic>().SingleAsync();
        var day = DateOnly.FromDateTime(clinic.ToLocal(FakeClockClinicAppFactory.Now.UtcDateTime)).AddDays(30 + Interlocked.Increment(ref nextDay));
        return clinic.ToUtc(day.ToDateTime(new TimeOnly(hour, minute)));
    }

    private async Task<(int PractitionerId, int PatientId, AppointmentType FollowUp)> IdsAsync()
    {
        await using var db = await app.CreateDbContextAsync();
        var practitioner = await db.Set<Practitioner>().OrderBy(p => p.SortOrder).FirstAsync();
        var patient = await db.Set<Patient>().OrderBy(p => p.Id).FirstAsync();
        var followUp = await db.Set<AppointmentType>().SingleAsync(t => t.Name == "Follow-up");
        return (practitioner.Id, patient.Id, followUp);
    }

    private async Task<string> UserIdAsync(string email)
    {
        await using var scope = app.AnonymousScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email))!.Id;
    }
}
