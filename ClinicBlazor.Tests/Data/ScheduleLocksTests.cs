using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Notifications.Email;
using ClinicBlazor.Features.OnlineBookings;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Data.PostgreSql;
using ClinicBlazor.Tests.Features.Calendar;
using ClinicBlazor.Tests.Features.Notifications;
using ClinicBlazor.Tests.Features.Notifications.Sms;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Data;

/// <summary>
/// The rules that bookings, moves, cancellations and reinstatements keep with their practitioners'
/// schedules (and the deliveries of the appointment's notices) instead of the whole writer lock on
/// PostgreSQL, raced from separate contexts as two desks or two nodes would race them; on SQLite
/// BEGIN IMMEDIATE keeps them. Each race is run for several rounds: one lost round fails the test.
/// </summary>
public abstract class ScheduleLocksTests(FakeClockClinicAppFactory app)
{
    private static readonly DateTime Now = FakeClockClinicAppFactory.Now.UtcDateTime;

    [Fact]
    public async Task A_booking_and_a_reinstatement_of_one_slot_at_once_keep_exactly_one_every_round()
    {
        var practitioner = await app.PractitionerAsync(DemoSignIns.Practitioner.Email);
        var (patientId, typeId) = await PatientAndFollowUpAsync();
        for (var round = 0; round < 15; round++)
        {
            var start = Now.AddDays(40).AddHours(round);
            var cancelled = await app.AddAppointmentAsync(DemoSignIns.Practitioner.Email, start);
            await app.CancelAsAsync(DemoSignIns.Receptionist.Email, cancelled.Id);

            var (booked, reinstated) = await RaceAsync(
                appointments => appointments.BookAsync(new BookAppointment(patientId, practitioner.Id, typeId, start.AddMinutes(10))),
                appointments => appointments.ReinstateAsync(cancelled.Id));

            Assert.True(booked.Succeeded ^ reinstated.Succeeded, $"round {round}: booked {booked.Succeeded}, reinstated {reinstated.Succeeded}");
            Assert.Equal(1, await BookedBetweenAsync(practitioner.Id, start, start.AddMinutes(40)));
        }
    }

    [Fact]
    public async Task An_undo_and_a_new_cancellation_of_one_appointment_at_once_leave_its_notices_as_its_state_every_round()
    {
        await app.SetNoticesAsync(DemoSignIns.Practitioner.Email, NotificationMethod.Email);
        for (var round = 0; round < 15; round++)
        {
            var appointment = await app.AddAppointmentAsync(DemoSignIns.Practitioner.Email, Now.AddDays(45).AddHours(round));
            await app.CancelAsAsync(DemoSignIns.Receptionist.Email, appointment.Id);

            var (reinstated, cancelled) = await RaceAsync(
                appointments => appointments.ReinstateAsync(appointment.Id),
                appointments => appointments.CancelAsync(new CancelAppointment(appointment.Id, CancellationReason.Sick)));

            // The undo always finds it cancelled; the new cancellation goes through only after it.
            Assert.True(reinstated.Succeeded, reinstated.Error);
            await using var db = await app.CreateDbContextAsync();
            var status = await db.Set<Appointment>().Where(a => a.Id == appointment.Id).Select(a => a.Status).SingleAsync();
            var open = await db.Set<CancellationNotice>().Include(n => n.Deliveries)
                .Where(n => n.AppointmentId == appointment.Id && n.Kind == NoticeKind.Cancellation && n.ReinstatedAtUtc == null).ToListAsync();
            Assert.Equal(cancelled.Succeeded ? AppointmentStatus.Cancelled : AppointmentStatus.Booked, status);
            Assert.Equal(cancelled.Succeeded ? 1 : 0, open.Count);
            Assert.Equal(1, await db.Set<NoticeDelivery>().CountAsync(d => d.Notice!.AppointmentId == appointment.Id && d.State == DeliveryState.Dropped));
        }
    }

    [Fact]
    public async Task A_move_into_another_practitioners_slot_and_a_booking_of_it_at_once_keep_exactly_one_every_round()
    {
        var to = await app.PractitionerAsync(DemoSignIns.SecondPractitioner.Email);
        var (patientId, typeId) = await PatientAndFollowUpAsync();
        for (var round = 0; round < 15; round++)
        {
            var start = Now.AddDays(50).AddHours(round);
            var moving = await app.AddAppointmentAsync(DemoSignIns.Practitioner.Email, start);

            var (moved, booked) = await RaceAsync(
                appointments => appointments.MoveAsync(new MoveAppointment(moving.Id, to.Id, start.AddMinutes(15), moving.Version)),
                appointments => appointments.BookAsync(new BookAppointment(patientId, to.Id, typeId, start)));

            Assert.True(moved.Succeeded ^ booked.Succeeded, $"round {round}: moved {moved.Succeeded}, booked {booked.Succeeded}");
            Assert.Equal(1, await BookedBetweenAsync(to.Id, start, start.AddMinutes(45)));
        }
    }

    [Fact]
    public async Task One_new_patient_booking_two_practitioners_online_at_once_is_one_patient_record_every_round()
    {
        await using var anonymous = app.AnonymousScope();
        var online = anonymous.ServiceProvider.GetRequiredService<OnlineBookingService>();
        var choices = await online.GetChoicesAsync();
        var type = choices.Types.First(t => t.DurationMinutes == 30).Id;
        var day = choices.LastDay.AddDays(-20);
        for (var round = 0; round < 10; round++)
        {
            // Two practitioners' free times on one day: their schedules do not keep the bookings apart.
            var slots = (await AllPractitionersSlotsAsync(online, type, day)).DistinctBy(s => s.PractitionerId).Take(2).ToList();
            if (slots.Count < 2)
            {
                day = day.AddDays(1);
                Assert.True(day <= choices.LastDay, "The booking horizon ran out of days with two practitioners free.");
                round--;
                continue;
            }

            var details = new PatientDetailsInput { FirstName = $"Twice{round}", LastName = "Online", Email = $"twice{round}@patients.example", Mobile = "0412 345 678" };
            using var barrier = new Barrier(2);
            var bookings = slots.Select(slot => Task.Run(async () =>
            {
                await using var scope = app.AnonymousScope();
                var service = scope.ServiceProvider.GetRequiredService<OnlineBookingService>();
                barrier.SignalAndWait();
                return await service.BookAsync(slot.Key, type, details, "http://clinic.test/booking/");
            })).ToArray();
            var results = await Task.WhenAll(bookings);

            Assert.All(results, r => Assert.True(r.Succeeded, r.Error));
            await using var db = await app.CreateDbContextAsync();
            Assert.Equal(1, await db.Set<Patient>().CountAsync(p => p.Email == details.Email));
        }
    }

    /// <summary>
    /// The dispatcher's claims hold the writer lock shared, as the undo does: the undo locks the
    /// deliveries before it reads them, and the dispatcher's outcome locks them before it records, so
    /// a delivery is either dropped unsent, or sent and followed up ("back on"), never altered under a claim.
    /// </summary>
    [Fact]
    public async Task An_undo_racing_the_dispatcher_drops_each_delivery_unsent_or_follows_it_up_every_round()
    {
        await app.SetNoticesAsync(DemoSignIns.Practitioner.Email, NotificationMethod.SmsAndEmail, mobile: "+61412345688");
        await app.SetSmsBalanceAsync(1000);
        var sms = app.Services.GetRequiredService<SmsNotices>();
        var email = app.Services.GetRequiredService<EmailNotices>();
        var sender = app.Services.GetRequiredService<IEmailSender>();
        for (var round = 0; round < 12; round++)
        {
            var appointment = await app.AddAppointmentAsync(DemoSignIns.Practitioner.Email, Now.AddDays(20).AddHours(round));
            await app.CancelAsAsync(DemoSignIns.Receptionist.Email, appointment.Id);
            app.Clock!.Advance(TimeSpan.FromMinutes(2));
            var now = app.Clock.GetUtcNow().UtcDateTime;

            using var barrier = new Barrier(2);
            var undo = Task.Run(async () =>
            {
                await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
                var appointments = scope.ServiceProvider.GetRequiredService<AppointmentService>();
                barrier.SignalAndWait();
                return await appointments.ReinstateAsync(appointment.Id);
            });
            var dispatch = Task.Run(async () =>
            {
                barrier.SignalAndWait();
                await sms.SendDueAsync(now, CancellationToken.None);
                await using var session = await sender.OpenSessionAsync(CancellationToken.None);
                await email.SendDueAsync(session, now, CancellationToken.None);
            });
            await Task.WhenAll(undo, dispatch);

            Assert.True((await undo).Succeeded);
            var notice = (await app.NoticesForAsync(appointment.Id)).Single(n => n.Kind == NoticeKind.Cancellation);
            await using var db = await app.CreateDbContextAsync();
            var deliveries = await db.Set<NoticeDelivery>().AsNoTracking().Include(d => d.Attempts).Where(d => d.NoticeId == notice.Id).ToListAsync();
            Assert.NotNull(notice.ReinstatedAtUtc);
            foreach (var delivery in deliveries.Where(d => d.Kind == DeliveryKind.Cancellation))
            {
                var followedUp = deliveries.Any(d => d.Kind == DeliveryKind.Reinstatement && d.Channel == delivery.Channel);
                Assert.True(
                    (delivery.State == DeliveryState.Dropped && delivery.Attempts.Count == 0 && !followedUp)
                    || (delivery.State == DeliveryState.Sent && delivery.Attempts.Count == 1 && followedUp),
                    $"round {round}: {delivery.Channel} {delivery.State} with {delivery.Attempts.Count} attempt(s), follow-up {followedUp}");
            }
        }
    }

    /// <summary>Runs both as two members of staff on their own contexts, released together.</summary>
    private async Task<(T First, T Second)> RaceAsync<T>(Func<AppointmentService, Task<T>> first, Func<AppointmentService, Task<T>> second)
    {
        using var barrier = new Barrier(2);
        var racers = new[] { (DemoSignIns.Receptionist, first), (DemoSignIns.SecondReceptionist, second) }.Select(racer => Task.Run(async () =>
        {
            await using var scope = await app.ScopeForAsync(racer.Item1.Email);
            var appointments = scope.ServiceProvider.GetRequiredService<AppointmentService>();
            barrier.SignalAndWait();
            return await racer.Item2(appointments);
        })).ToArray();
        var results = await Task.WhenAll(racers);
        return (results[0], results[1]);
    }

    private async Task<(int PatientId, int TypeId)> PatientAndFollowUpAsync()
    {
        await using var db = await app.CreateDbContextAsync();
        return (await db.Set<Patient>().OrderBy(p => p.Id).Select(p => p.Id).FirstAsync(),
            await db.Set<AppointmentType>().Where(t => t.Name == "Follow-up").Select(t => t.Id).SingleAsync());
    }

    private async Task<int> BookedBetweenAsync(int practitionerId, DateTime fromUtc, DateTime toUtc)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<Appointment>().CountAsync(a => a.PractitionerId == practitionerId && a.Status == AppointmentStatus.Booked && a.StartUtc < toUtc && a.EndUtc > fromUtc);
    }

    private static async Task<IEnumerable<OfferedSlot>> AllPractitionersSlotsAsync(OnlineBookingService online, int type, DateOnly day)
    {
        var choices = await online.GetChoicesAsync();
        var slots = new List<OfferedSlot>();
        foreach (var practitioner in choices.Practitioners)
        {
            slots.AddRange(await online.GetSlotsAsync(practitioner.Id, type, day));
        }

        return slots;
    }
}

public sealed class ScheduleLocksOnSqliteTests(FakeClockClinicAppFactory app)
    : ScheduleLocksTests(app), IClassFixture<FakeClockClinicAppFactory>;

public sealed class ScheduleLocksOnPostgreSqlTests(PostgreSqlFakeClockApp app)
    : ScheduleLocksTests(app), IClassFixture<PostgreSqlFakeClockApp>;
