using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>
/// Scenarios 1 and 2: email notices through the real pipeline to a real SMTP server (maildev) on
/// loopback. Latency from a cancellation's commit to maildev accepting its email, with a batch
/// window of 0; and the dispatcher's throughput beside raw MailKit over one reused connection.
/// CLINIC_BENCH_QUICK=1 shortens both (20 cancellations, 500 notices) for a smoke run.
/// </summary>
[Collection(BenchmarkCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed class NoticesBenchmark(MaildevServer maildev) : IClassFixture<MaildevServer>
{
    private static readonly bool Quick = Environment.GetEnvironmentVariable("CLINIC_BENCH_QUICK") == "1";

    private ClinicAppFactory NewApp() => new ClinicAppFactory()
        .With("Notifications:BatchWindowSeconds", "0")
        .With("Notifications:Email:Smtp:Host", "127.0.0.1")
        .With("Notifications:Email:Smtp:Port", maildev.SmtpPort.ToString(CultureInfo.InvariantCulture))
        .With("Notifications:Email:Smtp:Security", "None");

    [Fact]
    public async Task Latency_one_cancellation_a_second_window_0()
    {
        var cancellations = Quick ? 20 : 120;
        await maildev.ClearAsync();
        await using var app = NewApp();
        var practitioners = await AddEmailPractitionersAsync(app, cancellations, "latency");
        var appointments = await BookOnePerPractitionerAsync(app, practitioners, DateTime.UtcNow.AddDays(2));

        await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var service = scope.ServiceProvider.GetRequiredService<AppointmentService>();
        var cancelCalls = new List<double>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < cancellations; i++)
        {
            var wait = TimeSpan.FromSeconds(i) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            var call = Stopwatch.StartNew();
            var cancelled = await service.CancelAsync(new CancelAppointment(appointments[i], CancellationReason.Sick));
            cancelCalls.Add(call.Elapsed.TotalMilliseconds);
            Assert.True(cancelled.Succeeded, cancelled.Error);
        }

        // The commit's time is the cancellation's own timestamp, written in its transaction just
        // before it commits (so each latency errs long by the commit itself): CancelAsync returns
        // only after the post-commit signals, by which time the email can already have arrived.
        Dictionary<string, DateTime> committedAt;
        await using (var db = await app.CreateDbContextAsync())
        {
            var ids = appointments.Take(cancellations).ToList();
            var stamps = await db.Set<Appointment>().AsNoTracking().Where(a => ids.Contains(a.Id))
                .Select(a => new { a.PractitionerId, a.CancelledAtUtc }).ToListAsync();
            var emails = practitioners.ToDictionary(p => p.Id, p => p.Email);
            committedAt = stamps.ToDictionary(s => emails[s.PractitionerId], s => DateTime.SpecifyKind(s.CancelledAtUtc!.Value, DateTimeKind.Utc), StringComparer.OrdinalIgnoreCase);
        }

        var arrivals = await WaitForArrivalsAsync(committedAt.Keys, TimeSpan.FromSeconds(60));
        var latencies = committedAt.Where(c => arrivals.ContainsKey(c.Key)).Select(c => (arrivals[c.Key] - c.Value).TotalSeconds).ToList();
        var missing = cancellations - latencies.Count;
        var p50 = PerformanceReport.Percentile(latencies, 50);
        var p99 = PerformanceReport.Percentile(latencies, 99);
        await PerformanceReport.PublishAsync(
            "latency",
            "Latency: cancellation commit → SMTP server accepts the email (window 0)",
            Quick ? "CLINIC_BENCH_QUICK=1 ./test.sh --bench" : "./test.sh --bench",
            [
                ("email p50", Seconds(p50), "≤ 0.5 s", p50 <= 0.5),
                ("email p99", Seconds(p99), "≤ 2 s", p99 <= 2),
                ("CancelAsync call p50 / p99 (for reference)", $"{PerformanceReport.Percentile(cancelCalls, 50):0} / {PerformanceReport.Percentile(cancelCalls, 99):0} ms", "—", null),
                ("emails not received within 60 s", missing.ToString(CultureInfo.InvariantCulture), "0", missing == 0),
                ("SMS p50 / p99", "not measured", "≤ 0.5 s / ≤ 2 s", null),
                ("email p99 with the default window (60 s)", "not measured", "≤ window + 2 s", null),
            ],
            $"""
            {cancellations} cancellations, one a second, each for its own practitioner (notices by email, any time ahead) through
            `AppointmentService.CancelAsync` as the receptionist; `Notifications:BatchWindowSeconds=0`, SMTP to maildev on loopback.
            Each latency runs from the cancellation's commit (its `CancelledAtUtc`, stamped in the transaction just before it commits)
            to maildev's own arrival time for that practitioner's email (`time` in its API; same machine clock). Timing from
            `CancelAsync`'s return instead gives negative figures: it returns after the post-commit signals, when the email is often
            already there. Caution: p50 and p99 come out within a few ms of each other and below the 200 ms that `NoticeSignal` adds
            before the Quartz trigger fires, so which instant maildev 3.0.0 stamps as `time` is not yet verified; treat these figures as unconfirmed.
            SMS through the dispatcher and the default-window run are not
            measured yet: SMS delivery through the dispatcher was not merged when this harness was written.
            Measured on a shared, loaded 2-core machine with other engineers' builds and tests running.
            """);

        Assert.Equal(0, missing);
    }

    [Fact]
    public async Task Throughput_dispatcher_beside_raw_MailKit()
    {
        var notices = Quick ? 500 : 5000;
        await maildev.ClearAsync();
        await using var app = NewApp();
        var practitioners = await AddEmailPractitionersAsync(app, notices, "throughput");

        // Due an hour from now, so the app's own 30-second sweep leaves them to the timed run.
        var dueAt = DateTime.UtcNow.AddHours(1);
        await AddPendingNoticesAsync(app, practitioners, dueAt);

        await using var scope = app.AnonymousScope();
        var dispatcher = scope.ServiceProvider.GetRequiredService<NoticeDispatcher>();
        var watch = Stopwatch.StartNew();
        var result = await dispatcher.DispatchDueAsync(dueAt.AddSeconds(1));
        watch.Stop();
        var dispatcherSeconds = watch.Elapsed.TotalSeconds;
        Assert.Equal(notices, result.EmailsSent);

        OutboxMessage sample;
        await using (var db = await app.CreateDbContextAsync())
        {
            sample = await db.Set<OutboxMessage>().AsNoTracking().OrderByDescending(m => m.Id).FirstAsync();
        }

        await maildev.ClearAsync();
        var rawSeconds = await SendRawAsync(sample, practitioners.Select(p => p.Email).ToList());
        await maildev.ClearAsync();

        var ratio = rawSeconds / dispatcherSeconds;
        await PerformanceReport.PublishAsync(
            "throughput",
            $"Throughput: {notices:N0} pending email notices drained by the dispatcher vs raw MailKit",
            Quick ? "CLINIC_BENCH_QUICK=1 ./test.sh --bench" : "./test.sh --bench",
            [
                ("dispatcher", $"{dispatcherSeconds:0.0} s ({notices / dispatcherSeconds:0} emails/s)", "—", null),
                ("raw MailKit, one reused connection", $"{rawSeconds:0.0} s ({notices / rawSeconds:0} emails/s)", "—", null),
                ("ratio (dispatcher / raw)", ratio.ToString("0.00", CultureInfo.InvariantCulture), "≥ 0.8", ratio >= 0.8),
                ("SMS at N requests/s with 5 % 429s", "not measured", "≥ 0.9 × N, no extra charges", null),
            ],
            $"""
            {notices:N0} practitioners, each with one pending cancellation notice by email (rows inserted directly, due in an hour so the
            app's 30-second sweep does not take them), drained by one `NoticeDispatcher.DispatchDueAsync` call: per email a short claim
            transaction, the SMTP send over the run's one connection, a short outcome transaction. Then, against the same maildev
            (emptied first), raw MailKit sends {notices:N0} emails with the same subject and bodies as one the dispatcher sent, over one
            connection. SMS throughput is not measured yet (SMS through the dispatcher was not merged when this was written).
            {(ratio >= 0.8 ? "" : Shortfall)}
            Measured on a shared, loaded 2-core machine with other engineers' builds and tests running.
            """);

        Assert.True(ratio > 0);
    }

    private const string Shortfall = """
        What limits it: per email the dispatcher opens a new context and connection (three pragmas) and runs a claim
        transaction that loads the delivery with its notice before the send, and a second transaction for the outcome after
        it (SQLite already runs WAL with `synchronous = NORMAL`); raw MailKit does none of that. Sends are one at a time
        although `Notifications:MaxParallelSends` (4) is configured and validated. Two fixes, not yet made: claim a chunk of
        batches (say 50) in one transaction under the lease, keeping the outcome write per email so a crash re-sends at most
        the one in flight; and send over `MaxParallelSends` connections at once.
        """;

    private sealed record BenchPractitioner(int Id, string Email);

    private static string Seconds(double value) => $"{value.ToString("0.000", CultureInfo.InvariantCulture)} s";

    /// <summary>Practitioners (each a staff user) who want every cancellation by email.</summary>
    private static async Task<List<BenchPractitioner>> AddEmailPractitionersAsync(ClinicAppFactory app, int count, string prefix)
    {
        _ = app.ServerAddress;
        await using var db = await app.CreateDbContextAsync();
        var added = new List<Practitioner>();
        for (var i = 0; i < count; i++)
        {
            var email = $"{prefix}{i}@bench.example";
            var user = new StaffUser
            {
                UserName = email,
                NormalizedUserName = email.ToUpperInvariant(),
                Email = email,
                NormalizedEmail = email.ToUpperInvariant(),
                DisplayName = $"Bench {i}",
                SecurityStamp = Guid.NewGuid().ToString(),
            };
            var practitioner = new Practitioner
            {
                UserId = user.Id,
                DisplayName = user.DisplayName,
                Title = "Physiotherapist",
                NotificationEmail = email,
                NotificationMethod = NotificationMethod.Email,
                SortOrder = 1000 + i,
            };
            db.Add(user);
            db.Add(practitioner);
            added.Add(practitioner);
        }

        await db.SaveChangesAsync();
        return added.Select(p => new BenchPractitioner(p.Id, p.NotificationEmail)).ToList();
    }

    private static async Task<List<int>> BookOnePerPractitionerAsync(ClinicAppFactory app, List<BenchPractitioner> practitioners, DateTime startUtc)
    {
        await using var db = await app.CreateDbContextAsync();
        var patientId = await db.Set<Patient>().OrderBy(p => p.Id).Select(p => p.Id).FirstAsync();
        var typeId = await db.Set<AppointmentType>().Where(t => t.DurationMinutes == 30).Select(t => t.Id).FirstAsync();
        var appointments = practitioners.Select(p => new Appointment
        {
            PractitionerId = p.Id,
            PatientId = patientId,
            AppointmentTypeId = typeId,
            StartUtc = startUtc,
            EndUtc = startUtc.AddMinutes(30),
            BookedAtUtc = DateTime.UtcNow,
            Version = Guid.NewGuid(),
        }).ToList();
        db.AddRange(appointments);
        await db.SaveChangesAsync();
        return appointments.Select(a => a.Id).ToList();
    }

    /// <summary>What a cancellation would have written: the cancelled appointment, its notice and one pending email delivery.</summary>
    private static async Task AddPendingNoticesAsync(ClinicAppFactory app, List<BenchPractitioner> practitioners, DateTime dueAt)
    {
        var appointmentIds = await BookOnePerPractitionerAsync(app, practitioners, DateTime.UtcNow.AddDays(3));
        await using var db = await app.CreateDbContextAsync();
        var now = DateTime.UtcNow;
        for (var i = 0; i < practitioners.Count; i++)
        {
            db.Add(new CancellationNotice
            {
                AppointmentId = appointmentIds[i],
                PractitionerId = practitioners[i].Id,
                CancelledAtUtc = now,
                AppointmentStartUtc = now.AddDays(3),
                PatientName = "Jane Smith",
                AppointmentTypeName = "Follow-up",
                CancelledBy = "Sam at reception",
                Reason = "Sick",
                Method = NotificationMethod.Email,
                Email = practitioners[i].Email,
                Deliveries =
                [
                    new NoticeDelivery
                    {
                        PractitionerId = practitioners[i].Id,
                        Kind = DeliveryKind.Cancellation,
                        Channel = NoticeChannel.Email,
                        State = DeliveryState.Pending,
                        CreatedAtUtc = now,
                        DueAtUtc = dueAt,
                        UpdatedAtUtc = now,
                    },
                ],
            });
        }

        await db.SaveChangesAsync();
    }

    private async Task<double> SendRawAsync(OutboxMessage sample, List<string> recipients)
    {
        var messages = recipients.Select(to =>
        {
            var mime = new MimeMessage();
            mime.From.Add(new MailboxAddress("ClinicBlazor", "notices@clinic.invalid"));
            mime.To.Add(MailboxAddress.Parse(to));
            mime.Subject = sample.Subject;
            mime.Body = new BodyBuilder { TextBody = sample.TextBody, HtmlBody = sample.HtmlBody }.ToMessageBody();
            return mime;
        }).ToList();

        var watch = Stopwatch.StartNew();
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", maildev.SmtpPort, SecureSocketOptions.None);
        foreach (var message in messages)
        {
            await client.SendAsync(message);
        }

        await client.DisconnectAsync(quit: true);
        watch.Stop();
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>maildev's arrival time (UTC) of the first email to each address, polling its API.</summary>
    private async Task<Dictionary<string, DateTime>> WaitForArrivalsAsync(IEnumerable<string> addresses, TimeSpan timeout)
    {
        var wanted = addresses.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var arrivals = new Dictionary<string, DateTime>(StringComparer.OrdinalIgnoreCase);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{maildev.WebPort}/") };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var json = JsonDocument.Parse(await http.GetStringAsync("api/email"));
            foreach (var email in json.RootElement.EnumerateArray())
            {
                var to = email.GetProperty("to")[0].GetProperty("address").GetString() ?? "";
                var time = email.GetProperty("time").GetDateTime().ToUniversalTime();
                if (wanted.Contains(to) && (!arrivals.TryGetValue(to, out var earlier) || time < earlier))
                {
                    arrivals[to] = time;
                }
            }

            if (arrivals.Count == wanted.Count || DateTime.UtcNow > deadline)
            {
                return arrivals;
            }

            await Task.Delay(500);
        }
    }
}
