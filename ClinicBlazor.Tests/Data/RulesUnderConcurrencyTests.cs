using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Data.PostgreSql;
using ClinicBlazor.Tests.Features.Calendar;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Data;

/// <summary>
/// Rules that read, check and write in one transaction, raced from separate connections (as two
/// nodes would race them). On SQLite BEGIN IMMEDIATE serialises them; on PostgreSQL the writer lock
/// every transaction takes first. The online last slot, the SMS charge and the refund are raced by
/// their own feature tests, which run on both providers (see OnPostgreSql.cs).
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
}

public sealed class RulesUnderConcurrencyOnSqliteTests(FakeClockClinicAppFactory app)
    : RulesUnderConcurrencyTests(app), IClassFixture<FakeClockClinicAppFactory>;

public sealed class RulesUnderConcurrencyOnPostgreSqlTests(PostgreSqlFakeClockApp app)
    : RulesUnderConcurrencyTests(app), IClassFixture<PostgreSqlFakeClockApp>;
