using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Notifications.Email;
using ClinicBlazor.Features.OnlineBookings;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.SmsCredits;
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
/// Rules that read, check and write in one transaction, raced from separate connections (as two
/// nodes would race them). On SQLite BEGIN IMMEDIATE serialises them; on PostgreSQL each holds the
/// writer lock shared and its own narrow locks: a booking its practitioner's schedule, a Resend its
/// failed delivery, the dispatcher's claims a practitioner's email, the delivery rows and the queued
/// messages' Outbox rows. More races of
/// the schedules are in <see cref="ScheduleLocksTests"/>; the last online slot (two patients), the SMS
/// claim and charge and the refund are raced by their own feature tests, which run on both providers
/// (see OnPostgreSql.cs).
/// </summary>
public abstract class RulesUnderConcurrencyTests(FakeClockClinicAppFactory app)
{
    [Fact]
    public async Task Two_receptionists_booking_overlapping_times_at_once_book_exactly_one_every_round()
    {
        await using var db = await app.CreateDbContextAsync();
        var clinic = await db.Set<Clinic>().SingleAsync();
        var practitionerId = (await db.Set<Practitioner>().OrderBy(p => p.SortOrder).FirstAsync()).Id;
        var patients = await db.Set<Patient>().OrderBy(p => p.Id).Select(p => p.Id).Take(2).ToListAsync();
        var followUp = await db.Set<AppointmentType>().SingleAsync(t => t.Name == "Follow-up");
        var firstDay = DateOnly.FromDateTime(clinic.ToLocal(FakeClockClinicAppFactory.Now.UtcDateTime)).AddDays(60);

        for (var round = 0; round < 30; round++)
        {
            var start = clinic.ToUtc(firstDay.AddDays(round / 8).ToDateTime(new TimeOnly(8 + round % 8, 0)));
            using var barrier = new Barrier(2);
            var attempts = new[] { DemoSignIns.Receptionist, DemoSignIns.SecondReceptionist }.Select((receptionist, i) => Task.Run(async () =>
            {
                await using var scope = await app.ScopeForAsync(receptionist.Email);
                var appointments = scope.ServiceProvider.GetRequiredService<AppointmentService>();
                barrier.SignalAndWait();
                return await appointments.BookAsync(new BookAppointment(patients[i], practitionerId, followUp.Id, start.AddMinutes(i * 10)));
            })).ToArray();
            var results = await Task.WhenAll(attempts);

            Assert.Equal(1, results.Count(r => r.Succeeded));
            Assert.Equal(AppointmentService.SlotTaken, results.Single(r => !r.Succeeded).Error);
        }
    }

    [Fact]
    public async Task A_receptionist_and_a_patient_online_booking_one_time_at_once_book_it_once_every_round()
    {
        await using var anonymous = app.AnonymousScope();
        var online = anonymous.ServiceProvider.GetRequiredService<OnlineBookingService>();
        var choices = await online.GetChoicesAsync();
        var type = choices.Types.First(t => t.DurationMinutes == 30).Id;
        int patientId;
        await using (var db = await app.CreateDbContextAsync())
        {
            patientId = await db.Set<Patient>().OrderBy(p => p.Id).Select(p => p.Id).FirstAsync();
        }

        var day = choices.LastDay.AddDays(-10);
        for (var round = 0; round < 20; round++)
        {
            var free = await online.GetSlotsAsync(null, type, day);
            if (free.Count == 0)
            {
                day = day.AddDays(1);
                Assert.True(day <= choices.LastDay, "The last ten days of the booking horizon ran out of free times.");
                round--;
                continue;
            }

            var slot = free[0];
            using var barrier = new Barrier(2);
            var byStaff = Task.Run(async () =>
            {
                await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
                var appointments = scope.ServiceProvider.GetRequiredService<AppointmentService>();
                barrier.SignalAndWait();
                return (await appointments.BookAsync(new BookAppointment(patientId, slot.PractitionerId, type, slot.StartUtc))).Succeeded;
            });
            var byPatient = Task.Run(async () =>
            {
                await using var scope = app.AnonymousScope();
                var bookings = scope.ServiceProvider.GetRequiredService<OnlineBookingService>();
                barrier.SignalAndWait();
                var details = new PatientDetailsInput { FirstName = $"Racer{round}", LastName = "Online", Email = $"racer{round}@patients.example", Mobile = "0412 345 678" };
                return (await bookings.BookAsync(slot.Key, type, details, "http://clinic.test/booking/")).Succeeded;
            });
            var results = await Task.WhenAll(byStaff, byPatient);

            Assert.Equal(1, results.Count(succeeded => succeeded));
            await using var db = await app.CreateDbContextAsync();
            Assert.Equal(1, await db.Set<Appointment>().CountAsync(a => a.PractitionerId == slot.PractitionerId && a.StartUtc == slot.StartUtc && a.Status != AppointmentStatus.Cancelled));
        }
    }

    [Fact]
    public async Task Two_admins_resending_one_failed_delivery_at_once_make_one_new_delivery_every_round()
    {
        await app.SetNoticesAsync(DemoSignIns.Practitioner.Email, NotificationMethod.Email);
        for (var round = 0; round < 10; round++)
        {
            var appointment = await app.AddAppointmentAsync(DemoSignIns.Practitioner.Email, FakeClockClinicAppFactory.Now.UtcDateTime.AddDays(3).AddMinutes(30 * round));
            await app.CancelAsAsync(DemoSignIns.Receptionist.Email, appointment.Id);
            int failedId;
            await using (var db = await app.CreateDbContextAsync())
            {
                // Set up as the dispatcher leaves a permanent refusal: the state is all Resend reads.
                failedId = await db.Set<NoticeDelivery>().Where(d => d.Notice!.AppointmentId == appointment.Id).Select(d => d.Id).SingleAsync();
                await db.Set<NoticeDelivery>().Where(d => d.Id == failedId)
                    .ExecuteUpdateAsync(set => set.SetProperty(d => d.State, DeliveryState.Failed));
            }

            using var barrier = new Barrier(2);
            var clicks = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
            {
                await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
                var resend = scope.ServiceProvider.GetRequiredService<DeliveryResend>();
                barrier.SignalAndWait();
                return await resend.ResendAsync(failedId);
            })).ToArray();
            var results = await Task.WhenAll(clicks);

            Assert.Equal(1, results.Count(r => r.Succeeded));
            await using var check = await app.CreateDbContextAsync();
            Assert.Equal(1, await check.Set<NoticeDelivery>().CountAsync(d => d.ResendOfDeliveryId == failedId));
        }
    }

    [Fact]
    public async Task Two_nodes_dispatchers_running_at_once_claim_every_delivery_once_and_each_digest_whole_every_round()
    {
        var practitioners = new[] { "mei@harbourside.example", "daniel@harbourside.example" };
        for (var i = 0; i < practitioners.Length; i++)
        {
            await app.SetNoticesAsync(practitioners[i], NotificationMethod.SmsAndEmail, mobile: $"+6141234570{i}");
        }

        await app.SetSmsBalanceAsync(1000);
        var sms = app.Services.GetRequiredService<SmsNotices>();
        var email = app.Services.GetRequiredService<EmailNotices>();
        var sender = app.Services.GetRequiredService<IEmailSender>();
        for (var round = 0; round < 10; round++)
        {
            // Three cancellations a practitioner, due together when the batch window has passed.
            var appointments = new List<int>();
            foreach (var practitioner in practitioners)
            {
                for (var i = 0; i < 3; i++)
                {
                    var appointment = await app.AddAppointmentAsync(practitioner, FakeClockClinicAppFactory.Now.UtcDateTime.AddDays(20 + round).AddHours(i));
                    await app.CancelAsAsync(DemoSignIns.Receptionist.Email, appointment.Id);
                    appointments.Add(appointment.Id);
                }
            }

            app.Clock!.Advance(TimeSpan.FromMinutes(2));
            var now = app.Clock.GetUtcNow().UtcDateTime;

            // Two nodes' runs, each with its own connections and SMTP session, started at one moment.
            using var barrier = new Barrier(2);
            var runs = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
            {
                barrier.SignalAndWait();
                await sms.SendDueAsync(now, CancellationToken.None);
                await using var session = await sender.OpenSessionAsync(CancellationToken.None);
                await email.SendDueAsync(session, now, CancellationToken.None);
            })).ToArray();
            await Task.WhenAll(runs);

            await using var db = await app.CreateDbContextAsync();
            var deliveries = await db.Set<NoticeDelivery>().AsNoTracking().Include(d => d.Attempts)
                .Where(d => appointments.Contains(d.Notice!.AppointmentId)).ToListAsync();
            Assert.Equal(appointments.Count * 2, deliveries.Count);
            Assert.All(deliveries, d => Assert.Equal((DeliveryState.Sent, 1), (d.State, d.Attempts.Count)));

            // One digest a practitioner, holding all three of their cancellations.
            var emails = deliveries.Where(d => d.Channel == NoticeChannel.Email).GroupBy(d => d.Attempts.Single().OutboxMessageId).ToList();
            Assert.Equal(practitioners.Length, emails.Count);
            Assert.All(emails, digest => Assert.Equal(3, digest.Count()));
        }
    }

    [Fact]
    public async Task Two_nodes_sending_the_queued_messages_at_once_send_and_charge_each_once_every_round()
    {
        await app.SetSmsBalanceAsync(1000);
        var queued = app.Services.GetRequiredService<QueuedMessages>();
        var sender = app.Services.GetRequiredService<IEmailSender>();
        for (var round = 0; round < 10; round++)
        {
            var now = app.Clock!.GetUtcNow().UtcDateTime;
            List<int> messages;
            await using (var db = await app.CreateDbContextAsync())
            {
                var rows = Enumerable.Range(0, 3).SelectMany(i => new[]
                {
                    OutboxQueue.Sms(db, $"+6141234560{i}", $"Round {round}, message {i}", "Race", practitionerId: null, now),
                    OutboxQueue.Email(db, new EmailMessage($"patient{i}@patients.example", $"Round {round}", $"Message {i}", null), "Race", practitionerId: null, now),
                }).ToList();
                await db.SaveChangesAsync();
                messages = rows.Select(r => r.Id).ToList();
            }

            // Two nodes' runs, each with its own connections and SMTP session, started at one moment.
            using var barrier = new Barrier(2);
            var runs = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
            {
                await using var session = await sender.OpenSessionAsync(CancellationToken.None);
                barrier.SignalAndWait();
                return await queued.SendDueAsync(session, now, messages);
            })).ToArray();
            var claimed = (await Task.WhenAll(runs)).SelectMany(run => run).Select(m => m.Id).ToList();

            // A message either run passed over (locked, or already claimed) is not in its results.
            Assert.Equal(messages.Order(), claimed.Order());
            await using var check = await app.CreateDbContextAsync();
            var sent = await check.Set<OutboxMessage>().AsNoTracking().Where(m => messages.Contains(m.Id)).ToListAsync();
            Assert.All(sent, m => Assert.Equal((OutboxMessageState.Sent, 1), (m.State, m.AttemptCount)));
            var charges = await check.Set<SmsCreditLedgerEntry>().AsNoTracking().Where(e => e.OutboxMessageId != null && messages.Contains(e.OutboxMessageId.Value)).ToListAsync();
            Assert.Equal(3, charges.Count);
            Assert.Equal(3, charges.Select(e => e.OutboxMessageId).Distinct().Count());
        }
    }
}

public sealed class RulesUnderConcurrencyOnSqliteTests(FakeClockClinicAppFactory app)
    : RulesUnderConcurrencyTests(app), IClassFixture<FakeClockClinicAppFactory>;

public sealed class RulesUnderConcurrencyOnPostgreSqlTests(PostgreSqlFakeClockApp app)
    : RulesUnderConcurrencyTests(app), IClassFixture<PostgreSqlFakeClockApp>;
