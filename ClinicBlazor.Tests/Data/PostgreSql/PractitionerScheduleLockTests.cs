using ClinicBlazor.Data;
using ClinicBlazor.Data.PostgreSql;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Tests.Features.Notifications;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Data.PostgreSql;

/// <summary>
/// On PostgreSQL a change to one practitioner's schedule waits only for changes to the same
/// practitioner's: a cancellation for one practitioner goes through while another's schedule is
/// held, and one for the held practitioner waits for it (seen waiting in <c>pg_locks</c>) and then
/// goes through. (On SQLite BEGIN IMMEDIATE holds the whole file: there is nothing narrower to show.)
/// </summary>
public sealed class PractitionerScheduleLockTests(PostgreSqlFakeClockApp app) : IClassFixture<PostgreSqlFakeClockApp>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_cancellation_waits_for_its_own_practitioners_schedule_and_not_for_anothers()
    {
        var held = await app.PractitionerAsync(DemoSignIns.SecondPractitioner.Email);
        var now = app.Clock!.GetUtcNow().UtcDateTime;
        var other = await app.AddAppointmentAsync(DemoSignIns.Practitioner.Email, now.AddDays(9));
        var same = await app.AddAppointmentAsync(DemoSignIns.SecondPractitioner.Email, now.AddDays(9));
        var engine = app.Services.GetRequiredService<IDatabaseEngine>();

        await using var holder = await app.CreateDbContextAsync();
        var holding = await engine.BeginScheduleTransactionAsync(holder, appointmentId: null, [held.Id], CancellationToken.None);
        try
        {
            // Another practitioner's cancellation completes while the schedule is held.
            var otherCancelled = await CancelAsync(other.Id).WaitAsync(Patience);
            Assert.True(otherCancelled.Succeeded, otherCancelled.Error);

            // The held practitioner's waits for it: its transaction is seen queued for that lock.
            var sameCancelled = CancelAsync(same.Id);
            var deadline = Deadline.In(Patience);
            while (!await WaitsForScheduleAsync(held.Id) && !deadline.Passed)
            {
                await Task.Delay(20);
            }

            Assert.True(await WaitsForScheduleAsync(held.Id), "the cancellation never queued for its practitioner's schedule");
            Assert.False(sameCancelled.IsCompleted);

            await holding.DisposeAsync();
            var result = await sameCancelled.WaitAsync(Patience);
            Assert.True(result.Succeeded, result.Error);
        }
        finally
        {
            await holding.DisposeAsync();
        }
    }

    private async Task<ClinicBlazor.Features.Common.Result<Appointment>> CancelAsync(int appointmentId)
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        return await scope.ServiceProvider.GetRequiredService<AppointmentService>().CancelAsync(new CancelAppointment(appointmentId));
    }

    /// <summary>Whether a transaction waits for the practitioner's schedule lock (<c>pg_advisory_xact_lock(space, id)</c> shows as classid, objid, objsubid 2).</summary>
    private async Task<bool> WaitsForScheduleAsync(int practitionerId)
    {
        await using var db = await app.CreateDbContextAsync();
        var waiting = await db.Database.SqlQuery<int>($"""
            SELECT count(*)::int AS "Value" FROM pg_locks
            WHERE locktype = 'advisory' AND objsubid = 2 AND NOT granted
              AND classid = {(long)PostgreSqlEngine.ScheduleSpace}::oid AND objid = {(long)practitionerId}::oid
            """).SingleAsync();
        return waiting > 0;
    }
}
