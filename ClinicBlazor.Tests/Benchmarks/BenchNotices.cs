using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>
/// The several-node benchmarks' set-up, written directly: practitioners who want SMS, and what a
/// cancellation would have written for each appointment (the cancelled appointment, its notice and
/// one pending SMS delivery), due at a time the benchmark chooses.
/// </summary>
internal static class BenchNotices
{
    public sealed record SmsPractitioner(int Id, string Mobile);

    public static async Task<List<SmsPractitioner>> AddSmsPractitionersAsync(ClinicDbContext db, int count, string prefix)
    {
        var added = new List<Practitioner>();
        for (var i = 0; i < count; i++)
        {
            var (user, practitioner) = BenchStaff.NewPractitioner($"{prefix}{i}@bench.example", $"{prefix} {i}", 3000 + i);
            practitioner.MobileE164 = $"+61493{i:D6}";
            practitioner.NotificationMethod = NotificationMethod.Sms;
            db.Add(user);
            db.Add(practitioner);
            added.Add(practitioner);
        }

        await db.SaveChangesAsync();
        return [.. added.Select(p => new SmsPractitioner(p.Id, p.MobileE164!))];
    }

    /// <summary><paramref name="each"/> pending SMS notices per practitioner, due at <paramref name="dueAtUtc"/>; returns the deliveries' ids.</summary>
    public static async Task<List<int>> AddPendingSmsAsync(ClinicDbContext db, IReadOnlyList<SmsPractitioner> practitioners, int each, DateTime nowUtc, DateTime dueAtUtc)
    {
        var patientId = await db.Set<Patient>().OrderBy(p => p.Id).Select(p => p.Id).FirstAsync();
        var typeId = await db.Set<AppointmentType>().Where(t => t.DurationMinutes == 30).Select(t => t.Id).FirstAsync();
        var booked = new List<(SmsPractitioner Practitioner, Appointment Appointment)>();
        foreach (var practitioner in practitioners)
        {
            for (var i = 0; i < each; i++)
            {
                var start = nowUtc.Date.AddDays(3).AddMinutes(30 * i);
                booked.Add((practitioner, new Appointment
                {
                    PractitionerId = practitioner.Id,
                    PatientId = patientId,
                    AppointmentTypeId = typeId,
                    StartUtc = start,
                    EndUtc = start.AddMinutes(30),
                    BookedAtUtc = nowUtc,
                    Status = AppointmentStatus.Cancelled,
                    CancelledAtUtc = nowUtc,
                }));
            }
        }

        db.AddRange(booked.Select(b => b.Appointment));
        await db.SaveChangesAsync();

        var notices = new List<CancellationNotice>();
        foreach (var (practitioner, appointment) in booked)
        {
            var notice = new CancellationNotice
            {
                AppointmentId = appointment.Id,
                PractitionerId = practitioner.Id,
                CancelledAtUtc = nowUtc,
                AppointmentStartUtc = appointment.StartUtc,
                PatientFirstName = "Jane",
                PatientLastName = "Smith",
                AppointmentTypeName = "Follow-up",
                CancelledByKind = CancellerKind.Reception,
                CancelledByName = "Sam Taylor",
                ReasonCode = CancellationReason.Sick,
                Method = NotificationMethod.Sms,
                Email = "",
                MobileE164 = practitioner.Mobile,
            };
            notice.AddDelivery(NoticeChannel.Sms, DeliveryKind.Cancellation, nowUtc, dueAtUtc);
            notices.Add(notice);
        }

        db.AddRange(notices);
        await db.SaveChangesAsync();
        return [.. notices.SelectMany(n => n.Deliveries).Select(d => d.Id)];
    }

    /// <summary>Credits for the SMS, as a top-up writes them: the balance and its ledger row together.</summary>
    public static async Task TopUpAsync(ClinicDbContext db, int credits, DateTime nowUtc)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.Set<SmsCreditAccount>().ExecuteUpdateAsync(set => set.SetProperty(a => a.Balance, a => a.Balance + credits));
        var balance = await db.Set<SmsCreditAccount>().Select(a => a.Balance).SingleAsync();
        db.Add(new SmsCreditLedgerEntry { AtUtc = nowUtc, Kind = SmsCreditKind.TopUp, Amount = credits, BalanceAfter = balance, Note = "benchmark", ActorName = "benchmark" });
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }

    /// <summary>Until this many nodes' listening connections are up (a node just started may not have opened its own yet, and would miss a NOTIFY).</summary>
    public static async Task WaitForListenersAsync(string connectionString, int nodes)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var listeners = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ClinicBlazor listener'", connection);
        var deadline = Infrastructure.Deadline.In(TimeSpan.FromSeconds(30));
        while ((long)(await listeners.ExecuteScalarAsync())! < nodes && !deadline.Passed)
        {
            await Task.Delay(100);
        }
    }
}
