using System.Diagnostics;
using System.Globalization;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Features.Notifications.Sms;
using ClinicBlazor.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>
/// Scenarios 1 and 2: notices through the real pipeline to real servers on loopback (an SMTP relay
/// in front of maildev, the Twilio stand-in). Latency from a cancellation's commit to the SMTP
/// server accepting its email and to the stand-in receiving its SMS, with a batch window of 0 and
/// the default 60 s; the dispatcher's email throughput beside raw MailKit over one reused
/// connection; SMS throughput against a stand-in serving N requests/s with 5 % 429s.
/// CLINIC_BENCH_QUICK=1 shortens them all for a smoke run.
/// </summary>
[Collection(BenchmarkCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed class NoticesBenchmark(MaildevServer maildev) : IClassFixture<MaildevServer>
{
    private static readonly bool Quick = Environment.GetEnvironmentVariable("CLINIC_BENCH_QUICK") == "1";

    /// <summary>Window 0, SMTP to <paramref name="smtpPort"/> on loopback, and SMS to the stand-in when there is one.</summary>
    private static ClinicAppFactory NewApp(int smtpPort, TwilioStandIn? standIn = null, DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        var app = ClinicAppFactory.On(provider)
            .With("Notifications:BatchWindowSeconds", "0")
            .With("Notifications:Email:Smtp:Host", "127.0.0.1")
            .With("Notifications:Email:Smtp:Port", smtpPort.ToString(CultureInfo.InvariantCulture))
            .With("Notifications:Email:Smtp:Security", "None");
        if (standIn is not null)
        {
            foreach (var (key, value) in SmsTestHost.TwilioSettings(standIn))
            {
                app.With(key, value);
            }
        }

        return app;
    }

    [Fact]
    public async Task Latency_one_cancellation_a_second_window_0()
    {
        var cancellations = Quick ? 20 : 120;
        var figures = await MeasureLatencyAsync(cancellations, batchWindowSeconds: 0, "latency");
        await PerformanceReport.PublishAsync(
            "latency",
            "Latency: cancellation commit → SMTP server accepts the email, → Twilio stand-in receives the SMS (window 0)",
            Command,
            [
                ("email p50", Seconds(figures.EmailP50), "≤ 0.5 s", figures.EmailP50 <= 0.5),
                ("email p99", Seconds(figures.EmailP99), "≤ 2 s", figures.EmailP99 <= 2),
                ("SMS p50", Seconds(figures.SmsP50), "≤ 0.5 s", figures.SmsP50 <= 0.5),
                ("SMS p99", Seconds(figures.SmsP99), "≤ 2 s", figures.SmsP99 <= 2),
                ("CancelAsync call p50 / p99 (for reference)", $"{figures.CallP50:0} / {figures.CallP99:0} ms", "—", null),
                ("emails / SMS not received within 60 s", $"{figures.EmailsMissing} / {figures.SmsMissing}", "0 / 0", figures.EmailsMissing + figures.SmsMissing == 0),
            ],
            $"""
            {cancellations} cancellations, one a second, each for its own practitioner (notices by SMS and email, any time ahead) through
            `AppointmentService.CancelAsync` as the receptionist; `Notifications:BatchWindowSeconds=0`. Each latency runs from the
            cancellation's commit (its `CancelledAtUtc`, stamped in the transaction just before it commits) to: for email, the end of
            the message's DATA at a small SMTP server in the test (`TimestampingSmtpRelay`, real SMTP over loopback TCP, which then
            forwards each message to maildev); for SMS, the arrival of the POST at the Twilio stand-in. Same machine clock throughout.
            Each figure includes the 200 ms `NoticeSignal` waits before its Quartz trigger fires (so that a burst of cancellations
            goes in one run), and SMS go before email in a run. The figures published before this run (email p50 0.082 s / p99 0.088 s)
            were wrong: maildev 3.0.0 stamps `time` from the message's `Date` header (`time: parsed.date || new Date()` in
            `@maildev/smtp/dist/server.js`), which MimeKit writes, to the second, when the message is built, so they measured the
            cadence's phase against whole seconds, not acceptance.
            {LoadNote}
            """);

        Assert.Equal(0, figures.EmailsMissing + figures.SmsMissing);
    }

    [Fact]
    public async Task Latency_one_move_a_second_window_0()
    {
        var moves = Quick ? 20 : 120;
        var figures = await MeasureLatencyAsync(moves, batchWindowSeconds: 0, "move", move: true);
        await PerformanceReport.PublishAsync(
            "latency-move",
            "Latency: move commit → SMTP server accepts the move notice, → Twilio stand-in receives its SMS (window 0)",
            Command,
            [
                ("email p50", Seconds(figures.EmailP50), "≤ 0.5 s", figures.EmailP50 <= 0.5),
                ("email p99", Seconds(figures.EmailP99), "≤ 2 s", figures.EmailP99 <= 2),
                ("SMS p50 / p99", $"{Seconds(figures.SmsP50)} / {Seconds(figures.SmsP99)}", "p99 ≤ 2 s", figures.SmsP99 <= 2),
                ("MoveAsync call p50 / p99 (for reference)", $"{figures.CallP50:0} / {figures.CallP99:0} ms", "—", null),
                ("emails / SMS not received within 60 s", $"{figures.EmailsMissing} / {figures.SmsMissing}", "0 / 0", figures.EmailsMissing + figures.SmsMissing == 0),
            ],
            $"""
            As the cancellation run, with moves: {moves} moves, one a second, each of its own practitioner's appointment an hour
            later (each practitioner chose "Also tell me when an appointment is moved", SMS and email, any time ahead) through
            `AppointmentService.MoveAsync` as the receptionist; `Notifications:BatchWindowSeconds=0`. Each latency runs from the
            move notice's own timestamp (written in the move's transaction just before it commits) to the SMTP server's end of
            DATA (`TimestampingSmtpRelay`) and to the Twilio stand-in's receipt of the SMS. The clinic's patient messages are off,
            so only the practitioners' notices are timed.
            {LoadNote}
            """);

        Assert.Equal(0, figures.EmailsMissing + figures.SmsMissing);
    }

    [Fact]
    public async Task Latency_one_cancellation_a_second_default_window()
    {
        var cancellations = Quick ? 10 : 60;
        var figures = await MeasureLatencyAsync(cancellations, batchWindowSeconds: 60, "window");
        await PerformanceReport.PublishAsync(
            "latency-window",
            "Latency with the default batch window (60 s)",
            Command,
            [
                ("email p50 / p99", $"{Seconds(figures.EmailP50)} / {Seconds(figures.EmailP99)}", "p99 ≤ 62 s", figures.EmailP99 <= 62),
                ("SMS p50 / p99", $"{Seconds(figures.SmsP50)} / {Seconds(figures.SmsP99)}", "p99 ≤ 62 s", figures.SmsP99 <= 62),
                ("emails / SMS not received within 120 s", $"{figures.EmailsMissing} / {figures.SmsMissing}", "0 / 0", figures.EmailsMissing + figures.SmsMissing == 0),
            ],
            $"""
            As the window-0 run, with the default `Notifications:BatchWindowSeconds` (60): {cancellations} cancellations, one a second,
            each for its own practitioner (SMS and email). Each practitioner's batch is due 60 s after their cancellation, so every
            batch is its own run of the job, set by the previous run (a run schedules the next batch time or retry) rather than by
            the 30-second sweep. One minute of cancellations, not two: every latency is one window plus the send, whatever else is
            waiting, so a second minute repeats the first; 60 samples make p99 the second-longest.
            {LoadNote}
            """);

        Assert.Equal(0, figures.EmailsMissing + figures.SmsMissing);
    }

    private sealed record LatencyFigures(double EmailP50, double EmailP99, double SmsP50, double SmsP99, double CallP50, double CallP99, int EmailsMissing, int SmsMissing);

    private async Task<LatencyFigures> MeasureLatencyAsync(int cancellations, int batchWindowSeconds, string prefix, bool move = false)
    {
        await maildev.ClearAsync();
        await using var relay = new TimestampingSmtpRelay("127.0.0.1", maildev.SmtpPort);
        await using var standIn = new TwilioStandIn();
        await standIn.InitializeAsync();
        await using var app = NewApp(relay.Port, standIn)
            .With("Notifications:BatchWindowSeconds", batchWindowSeconds.ToString(CultureInfo.InvariantCulture));
        var practitioners = await AddPractitionersAsync(app, cancellations, prefix, NotificationMethod.SmsAndEmail);
        await TopUpAsync(app, cancellations * 2);
        var appointments = await BookOnePerPractitionerAsync(app, practitioners, DateTime.UtcNow.AddDays(2));
        Dictionary<int, Guid> versions;
        await using (var db = await app.CreateDbContextAsync())
        {
            // Only the practitioners' notices are timed: the patient's messages of a clinic's change are off.
            var clinic = await db.Set<ClinicBlazor.Features.Settings.Clinic>().SingleAsync();
            clinic.TellPatientsByEmail = false;
            versions = await db.Set<Appointment>().Where(a => appointments.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Version);
            await db.SaveChangesAsync();
        }

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
            var changed = move
                ? await service.MoveAsync(new MoveAppointment(appointments[i], practitioners[i].Id, DateTime.UtcNow.AddDays(2).AddHours(1), versions[appointments[i]]))
                : await service.CancelAsync(new CancelAppointment(appointments[i], CancellationReason.Sick));
            cancelCalls.Add(call.Elapsed.TotalMilliseconds);
            Assert.True(changed.Succeeded, changed.Error);
        }

        // The commit's time is the cancellation's own timestamp, written in its transaction just
        // before it commits (so each latency errs long by the commit itself): CancelAsync returns
        // only after the post-commit signals, by which time the email can already have arrived.
        Dictionary<int, DateTime> committedAt;
        await using (var db = await app.CreateDbContextAsync())
        {
            var ids = appointments.Take(cancellations).ToList();
            committedAt = move
                ? await db.Set<CancellationNotice>().AsNoTracking().Where(n => ids.Contains(n.AppointmentId) && n.Kind == NoticeKind.Move)
                    .ToDictionaryAsync(n => n.PractitionerId, n => DateTime.SpecifyKind(n.CancelledAtUtc, DateTimeKind.Utc))
                : await db.Set<Appointment>().AsNoTracking().Where(a => ids.Contains(a.Id))
                    .ToDictionaryAsync(a => a.PractitionerId, a => DateTime.SpecifyKind(a.CancelledAtUtc!.Value, DateTimeKind.Utc));
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(batchWindowSeconds + 60);
        Dictionary<string, DateTime> smsArrivals;
        while (true)
        {
            smsArrivals = standIn.MessagePosts.Where(p => p.Form.ContainsKey("To"))
                .GroupBy(p => p.Form["To"])
                .ToDictionary(g => g.Key, g => g.Min(p => p.ArrivedUtc));
            if ((relay.AcceptedUtc.Count >= cancellations && smsArrivals.Count >= cancellations) || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(250);
        }

        var emailLatencies = practitioners.Where(p => relay.AcceptedUtc.ContainsKey(p.Email))
            .Select(p => (relay.AcceptedUtc[p.Email] - committedAt[p.Id]).TotalSeconds).ToList();
        var smsLatencies = practitioners.Where(p => smsArrivals.ContainsKey(p.Mobile))
            .Select(p => (smsArrivals[p.Mobile] - committedAt[p.Id]).TotalSeconds).ToList();
        return new LatencyFigures(
            PerformanceReport.Percentile(emailLatencies, 50), PerformanceReport.Percentile(emailLatencies, 99),
            PerformanceReport.Percentile(smsLatencies, 50), PerformanceReport.Percentile(smsLatencies, 99),
            PerformanceReport.Percentile(cancelCalls, 50), PerformanceReport.Percentile(cancelCalls, 99),
            cancellations - emailLatencies.Count, cancellations - smsLatencies.Count);
    }

    [Fact]
    public Task Throughput_dispatcher_beside_raw_MailKit() => MeasureThroughputAsync(DatabaseProvider.Sqlite);

    /// <summary>The same measurement on PostgreSQL (the tests' throw-away server on loopback): published, no target until a first measurement exists.</summary>
    [Fact]
    public Task Throughput_on_PostgreSql_dispatcher_beside_raw_MailKit() => MeasureThroughputAsync(DatabaseProvider.PostgreSql);

    private async Task MeasureThroughputAsync(DatabaseProvider provider)
    {
        var notices = Quick ? 500 : 5000;
        var rounds = Quick ? 3 : 7;
        await maildev.ClearAsync();
        await using var app = NewApp(maildev.SmtpPort, provider: provider);
        var practitioners = await AddPractitionersAsync(app, notices, "throughput", NotificationMethod.Email);
        var recipients = practitioners.Select(p => p.Email).ToList();

        // Warm-up, not timed: both sides' code compiled and tiered up (the JIT, EF's queries, MailKit).
        var warmUp = practitioners.Take(Quick ? 250 : 1000).ToList();
        var warmUpDue = DateTime.UtcNow.AddHours(1);
        await AddPendingNoticesAsync(app, warmUp, NoticeChannel.Email, warmUpDue);
        await using (var warmUpScope = app.AnonymousScope())
        {
            var result = await warmUpScope.ServiceProvider.GetRequiredService<NoticeDispatcher>().DispatchDueAsync(warmUpDue.AddSeconds(1));
            Assert.Equal(warmUp.Count, result.EmailsSent);
        }

        OutboxMessage sample;
        await using (var db = await app.CreateDbContextAsync())
        {
            sample = await db.Set<OutboxMessage>().AsNoTracking().OrderByDescending(m => m.Id).FirstAsync();
        }

        await SendRawAsync(sample, warmUp.Select(p => p.Email).ToList());

        // Side by side in each round, the order alternating (dispatcher first, then raw first, ...),
        // each side starting from the same settled machine and an emptied maildev.
        var figures = new List<(double Dispatcher, double Raw)>();
        var costs = new Dictionary<string, SideCost> { ["dispatcher"] = new(), ["raw"] = new() };
        for (var round = 0; round < rounds; round++)
        {
            // Due an hour from now, so the app's own 30-second sweep leaves them to the timed run.
            var dueAt = DateTime.UtcNow.AddHours(1);
            await AddPendingNoticesAsync(app, practitioners, NoticeChannel.Email, dueAt);
            double dispatcherSeconds = 0, rawSeconds = 0;
            foreach (var side in round % 2 == 0 ? new[] { "dispatcher", "raw" } : ["raw", "dispatcher"])
            {
                await maildev.ClearAsync();
                await SettleAsync(app);
                var start = SideCost.Start(maildev);
                if (side == "raw")
                {
                    rawSeconds = await SendRawAsync(sample, recipients);
                    costs[side].Stop(start, maildev);
                    continue;
                }

                await using var scope = app.AnonymousScope();
                var dispatcher = scope.ServiceProvider.GetRequiredService<NoticeDispatcher>();
                var watch = Stopwatch.StartNew();
                var result = await dispatcher.DispatchDueAsync(dueAt.AddSeconds(1));
                watch.Stop();
                costs[side].Stop(start, maildev);
                dispatcherSeconds = watch.Elapsed.TotalSeconds;
                Assert.Equal(notices, result.EmailsSent);
            }

            figures.Add((dispatcherSeconds, rawSeconds));
            Console.WriteLine($"throughput round {round + 1}: dispatcher {dispatcherSeconds:0.00} s, raw {rawSeconds:0.00} s, ratio {rawSeconds / dispatcherSeconds:0.00}");
        }

        await maildev.ClearAsync();
        var ratios = figures.Select(f => f.Raw / f.Dispatcher).ToList();
        var ratio = PerformanceReport.Percentile(ratios, 50);
        var dispatcherMedian = PerformanceReport.Percentile(figures.Select(f => f.Dispatcher).ToList(), 50);
        var rawMedian = PerformanceReport.Percentile(figures.Select(f => f.Raw).ToList(), 50);
        var each = string.Join(", ", ratios.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)));
        var emails = rounds * notices;
        var (dispatcherCost, rawCost) = (costs["dispatcher"], costs["raw"]);
        (string, string, string, bool?)[] rows =
        [
            ("dispatcher, median of the rounds", $"{dispatcherMedian:0.0} s ({notices / dispatcherMedian:0} emails/s)", "—", null),
            ("raw MailKit, one reused connection, median", $"{rawMedian:0.0} s ({notices / rawMedian:0} emails/s)", "—", null),
            ($"ratio (raw time / dispatcher time) in each of {rounds} rounds", each, "—", null),
            provider == DatabaseProvider.PostgreSql
                ? ("ratio, median of the rounds", ratio.ToString("0.00", CultureInfo.InvariantCulture), "—", null)
                : ("ratio, median of the rounds", ratio.ToString("0.00", CultureInfo.InvariantCulture), "≥ 0.8", ratio >= 0.8),
            ("rounds at or above 0.8", $"{ratios.Count(r => r >= 0.8)} of {rounds}", "—", null),
            ("CPU per email, test process + maildev: dispatcher side / raw side", $"{dispatcherCost.ClientMs(emails)} + {dispatcherCost.ServerMs(emails)} / {rawCost.ClientMs(emails)} + {rawCost.ServerMs(emails)}", "—", null),
            ("managed allocations per email / GC pauses per side: dispatcher / raw", $"{dispatcherCost.KbPerEmail(emails)} / {rawCost.KbPerEmail(emails)}, {dispatcherCost.PauseMsPerSide(rounds)} / {rawCost.PauseMsPerSide(rounds)}", "—", null),
        ];
        if (provider == DatabaseProvider.PostgreSql)
        {
            await PerformanceReport.PublishAsync(
                "throughput-postgresql",
                $"Email throughput on PostgreSQL: {notices:N0} pending email notices drained by the dispatcher vs raw MailKit",
                Command,
                rows,
                $"""
                Measured as the SQLite table below is, on the tests' throw-away PostgreSQL 15 on loopback (fsync and synchronous_commit
                off, as `test-postgres.sh` starts it: the figure is the app's and the wire's cost, not a disk's). {notices:N0} practitioners,
                each with one pending email notice; {rounds} rounds, sides alternating, after an untimed warm-up. The dispatcher claims
                {EmailNotices.ClaimChunk} emails at a time in one narrow transaction (the writer lock held shared, each practitioner's
                email locked with `pg_try_advisory_xact_lock`, the deliveries with `FOR UPDATE SKIP LOCKED`), and records each outcome
                with one batch of three updates in its own transaction. No target until a first measurement exists.
                {LoadNote}
                """);
            Assert.True(ratio > 0);
            return;
        }

        await PerformanceReport.PublishAsync(
            "throughput",
            $"Email throughput: {notices:N0} pending email notices drained by the dispatcher vs raw MailKit",
            Command,
            rows,
            $"""
            {notices:N0} practitioners, each with one pending cancellation notice by email (rows inserted directly, due in an hour so the
            app's 30-second sweep does not take them), drained by one `NoticeDispatcher.DispatchDueAsync` call; then, against the
            same maildev, raw MailKit sends {notices:N0} emails with the same subject and bodies as one the dispatcher sent, over one
            connection. {rounds} rounds in one run, each with {notices:N0} new notices, after an untimed warm-up of {warmUp.Count:N0} emails
            on each side; in each round the two sides go one after the other, their order alternating, each starting with maildev
            emptied, the database's log checkpointed and the set-up's dirty pages written out (`sync`); the ratio is taken per round
            and the median published. CPU is the test process's and maildev's, over the timed sides only.
            The dispatcher claims due emails {EmailNotices.ClaimChunk} at a time in one short transaction (their Outbox rows by one
            prepared INSERT bound per row, then one SQL command marking the deliveries Sending under a lease and writing their
            attempts), then per email: the SMTP send over the run's one connection with no transaction open, and a short outcome
            transaction of one SQL command (three updates), prepared once per run and bound per email, on the run's one database
            connection; while an email is on the wire, the next one's MIME is built on another thread. The run's connection checkpoints SQLite's log
            every {ClinicBlazor.Data.Sqlite.SqliteEngine.RunCheckpointPages:N0} pages instead of 1,000, and once at its end (inside the timed run).
            Fairness: raw MailKit builds its {notices:N0} `MimeMessage`s before its clock starts and records nothing, so it does less
            than an app must; the dispatcher's time includes building every digest and message, the claims and the outcome writes.
            What limits the ratio on this machine: maildev (one Node.js thread) takes 1.5–2 ms of CPU per email and is the bottleneck of
            both sides; the dispatcher's own work between two sends (about 0.05 ms of claim and 0.17 ms of outcome write per email,
            and GC) is on the critical path, and its CPU slows maildev, which shares the 2 cores (see maildev's CPU per email on each
            side). Each round's ratio swings by ±0.1 with other work on the machine, hence the median.
            History: 0.36 (103 vs 287 emails/s, 03:45 UTC) with a context, connection and two EF transactions per email; 0.62–0.74 with
            claims of 50 and one connection (05:36 UTC); single runs of 0.97, 0.83 and 0.66 with one prepared outcome command
            (06:43–06:53 UTC). Runs of five rounds of that code (07:05–07:45 UTC) gave medians between 0.71 and 0.79, and a Stopwatch
            around each step showed the claim at 0.146 ms and 35 KB per email, 0.154 ms of it EF inserting the Outbox rows (now
            0.010 ms), and 1.6 % of outcome writes over 0.5 ms (log checkpoints and GC pauses; 0.7 % with the bigger checkpoint
            steps). The side that ran right after the set-up's inserts was 1–3 s slower until each side started from a settled
            machine. Tried and not kept: writing an email's outcome on another thread while the next one goes (median 0.74: the
            thread hop and the extra CPU slowed maildev more than it saved); writing it on the dispatcher's thread while the next
            send waits for the server (0.82, but then the outcome's transaction is open during a send, which SPEC forbids, and a kill
            could re-send two emails); building the next MIME on the dispatcher's thread (no change). Not done, on purpose: recording
            several outcomes in one transaction (a kill would re-send more than the email in flight).
            SQLite's own floor for an outcome, timed with Python's sqlite3 on the same schema and pragmas (5,000 outcomes, 09:10 UTC):
            90 µs, 65 of them the commit appending its changed pages (about 8) to the log; the rest here is ADO.NET and the async calls.
            Earlier runs of this code (7 rounds each, 2026-11-24): medians 0.84 (07:56 UTC), 0.88 (08:09, fresh clone) and 0.76
            (08:46, fresh clone, load average 2.74: raw MailKit's side took 9.3–13.5 s instead of 7–8.5 s, and maildev 2.3 ms of
            CPU per email instead of 1.6–1.7). Under such load the dispatcher's side slows more than raw MailKit's, as its own CPU
            per email is on the critical path; the target holds for the median of these runs, not for every run on a loaded machine.
            {(ratio >= 0.8 ? "" : Shortfall)}
            {LoadNote}
            """);

        Assert.True(ratio > 0);
    }

    /// <summary>What one side of the throughput comparison used, summed over its timed runs.</summary>
    private sealed class SideCost
    {
        private TimeSpan client, server, paused;
        private long allocated;

        public static (TimeSpan Client, TimeSpan Server, TimeSpan Paused, long Allocated) Start(MaildevServer maildev) =>
            (Process.GetCurrentProcess().TotalProcessorTime, maildev.CpuTime, GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());

        public void Stop((TimeSpan Client, TimeSpan Server, TimeSpan Paused, long Allocated) start, MaildevServer maildev)
        {
            client += Process.GetCurrentProcess().TotalProcessorTime - start.Client;
            server += maildev.CpuTime - start.Server;
            paused += GC.GetTotalPauseDuration() - start.Paused;
            allocated += GC.GetTotalAllocatedBytes() - start.Allocated;
        }

        public string ClientMs(int emails) => $"{client.TotalMilliseconds / emails:0.00} ms";

        public string ServerMs(int emails) => $"{server.TotalMilliseconds / emails:0.00} ms";

        public string KbPerEmail(int emails) => $"{allocated / 1024.0 / emails:0} KB";

        public string PauseMsPerSide(int sides) => $"{paused.TotalMilliseconds / sides:0} ms";
    }

    private const string Shortfall = """
        The median of this run is short of the target. The ratio swings with other work on the machine (maildev's CPU per email
        varied from 1.5 to 2.1 ms between runs of 2026-11-24 07:05–07:50 UTC, raw MailKit's side from 7.0 to 10.6 s): compare runs on
        an idle machine, and the CPU row above, which shows how much of each email the dispatcher's own work costs.
        """;

    [Fact]
    public async Task Sms_throughput_at_N_a_second_with_5_percent_429s()
    {
        const int perSecond = 50;
        var deliveries = Quick ? 300 : 4000;
        var rounds = Quick ? 2 : 3;
        using var poolFloor = new ThreadPoolFloor(16);
        await using var standIn = new TwilioStandIn { RequestsPerSecond = perSecond, TooManyRequestsShare = 0.05 };
        await standIn.InitializeAsync();
        await using var app = NewApp(maildev.SmtpPort, standIn).With("Notifications:Retry:FirstDelaySeconds", "1");
        var practitioners = await AddPractitionersAsync(app, deliveries, "sms", NotificationMethod.Sms);
        var signal = app.Services.GetRequiredService<NoticeSignal>();

        var drainRates = new List<double>();
        var steadyRates = new List<double>();
        List<double> idleSeconds = [], tailIdleSeconds = [], tailSeconds = [];
        int sentInAll = 0, duplicates = 0, posted = 0, accepted = 0;
        for (var round = 0; round < rounds; round++)
        {
            await TopUpAsync(app, deliveries);
            await AddPendingNoticesAsync(app, practitioners, NoticeChannel.Sms, DateTime.UtcNow.AddHours(1));
            await SettleAsync(app);

            // Due now, and the app told so as a cancellation would: from here the app's own Quartz job
            // drains them, retries (after the configured backoff, on the app's real clock) included.
            await using (var db = await app.CreateDbContextAsync())
            {
                var now = DateTime.UtcNow;
                await db.Set<NoticeDelivery>().Where(d => d.Channel == NoticeChannel.Sms && d.State == DeliveryState.Pending)
                    .ExecuteUpdateAsync(set => set.SetProperty(d => d.DueAtUtc, now));
            }

            var signalledAt = DateTime.UtcNow;
            await signal.DeliveriesDueAsync(signalledAt);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds((deliveries / perSecond * 3) + 60);
            var expected = (round + 1) * deliveries;
            int sent;
            while (true)
            {
                await using var db = await app.CreateDbContextAsync();
                sent = await db.Set<NoticeDelivery>().CountAsync(d => d.Channel == NoticeChannel.Sms && d.State == DeliveryState.Sent);
                if (sent == expected || DateTime.UtcNow > deadline)
                {
                    break;
                }

                await Task.Delay(250);
            }

            sentInAll = sent;
            var posts = standIn.MessagePosts.Where(p => p.ArrivedUtc >= signalledAt).ToList();
            var messages = standIn.Messages.Where(m => m.DateCreatedUtc >= signalledAt).ToList();
            var lastAccepted = messages.Max(m => m.DateCreatedUtc);
            drainRates.Add(messages.Count / (lastAccepted - signalledAt).TotalSeconds);
            steadyRates.Add(messages.Count / (lastAccepted - posts.Min(p => p.ArrivedUtc)).TotalSeconds);
            // Capacity left unused: the stand-in's slots that passed with no request waiting, in all and
            // after the backlog's last first try (what only retries waiting their backoff still hold up).
            var firstPost = posts.Min(p => p.ArrivedUtc);
            var lastFirstTry = posts.GroupBy(p => p.Form["To"]).Max(g => g.Min(p => p.ArrivedUtc));
            var gaps = standIn.IdleGaps.Where(g => g.FromUtc >= firstPost && g.FromUtc < lastAccepted).ToList();
            idleSeconds.Add(gaps.Sum(g => g.Length.TotalSeconds));
            tailIdleSeconds.Add(gaps.Where(g => g.FromUtc >= lastFirstTry).Sum(g => g.Length.TotalSeconds));
            tailSeconds.Add((lastAccepted - lastFirstTry).TotalSeconds);
            duplicates += messages.Count - messages.Select(m => m.To).Distinct().Count();
            posted += posts.Count;
            accepted += messages.Count;
            Console.WriteLine($"sms throughput round {round + 1}: {drainRates[^1]:0.0} /s from the signal, {steadyRates[^1]:0.0} /s from the first request");
        }

        List<int> netCharges;
        int balance, ledgerSum;
        await using (var db = await app.CreateDbContextAsync())
        {
            netCharges = await db.Set<SmsCreditLedgerEntry>().Where(e => e.DeliveryId != null)
                .GroupBy(e => e.DeliveryId).Select(g => g.Sum(e => e.Amount)).ToListAsync();
            balance = await db.Set<SmsCreditAccount>().Select(a => a.Balance).SingleAsync();
            ledgerSum = await db.Set<SmsCreditLedgerEntry>().SumAsync(e => e.Amount);
        }

        var total = rounds * deliveries;
        var chargedOnce = netCharges.Count(c => c == -1);
        var extraCharges = netCharges.Where(c => c < -1).Sum(c => -1 - c);
        var drainRate = PerformanceReport.Percentile(drainRates, 50);
        var steadyRate = PerformanceReport.Percentile(steadyRates, 50);
        static string Seconds(double seconds) => $"{seconds.ToString("0.0", CultureInfo.InvariantCulture)} s";
        string Rate(double rate) => $"{rate:0.0} /s ({(rate / perSecond).ToString("0.00", CultureInfo.InvariantCulture)} × N)";
        await PerformanceReport.PublishAsync(
            "sms-throughput",
            $"SMS throughput: {deliveries:N0} pending SMS, the Twilio stand-in serving {perSecond} requests/s with 5 % 429s",
            Command,
            [
                ($"accepted per second, from the signal to the last accepted, in each of {rounds} rounds", string.Join(", ", drainRates.Select(Rate)), "—", null),
                ("accepted per second, from the signal to the last accepted, median", Rate(drainRate), $"≥ 0.9 × N = {0.9 * perSecond:0}", drainRate >= 0.9 * perSecond),
                ("accepted per second, first request to last accepted, median", Rate(steadyRate), "—", null),
                ($"stand-in idle (no request waiting for its slot), first request to last accepted, in each of {rounds} rounds",
                    string.Join(", ", idleSeconds.Select(Seconds)), "—", null),
                ("from the backlog's last first try to the last accepted: time / of it idle, in each round",
                    string.Join(", ", tailSeconds.Zip(tailIdleSeconds, (tail, idle) => $"{Seconds(tail)} / {Seconds(idle)}")), "—", null),
                ("requests / 429s answered / messages accepted", $"{posted:N0} / {posted - accepted:N0} / {accepted:N0}", "—", null),
                ("deliveries Sent", $"{sentInAll:N0} of {total:N0}", $"{total:N0}", sentInAll == total),
                ("deliveries with net charge exactly 1 credit / extra charges", $"{chargedOnce:N0} / {extraCharges}", $"{total:N0} / 0", chargedOnce == total && extraCharges == 0),
                ("duplicate SMS", duplicates.ToString(CultureInfo.InvariantCulture), "0", duplicates == 0),
                ("ledger sum = balance", $"{ledgerSum:N0} = {balance:N0}", "equal", ledgerSum == balance),
            ],
            $"""
            {deliveries:N0} practitioners; in each of {rounds} rounds each gets one pending cancellation notice by SMS (rows inserted
            directly), credits are topped up by {deliveries:N0}, and the notices are made due and signalled; the app's own Quartz job
            drains them with `Notifications:MaxParallelSends` 4 and `Notifications:Retry:FirstDelaySeconds=1` on the real clock.
            The stand-in serves message POSTs at most N = {perSecond} a second
            in arrival order (each waits for its slot) and answers 5 % of them, at random, 429 with code 20429; a 429 takes a slot, so
            0.95 × N is the most that can be accepted. Each 429 is an attempt charged and refunded, and the delivery is retried after
            its backoff: a refused SMS goes again in the same run as soon as its backoff is over, ahead of the rest of the backlog,
            so its wait (and a second refusal's doubled one) passes while the others are sent, and only the retries of the last
            second or so are left to a run scheduled at their due time. So the ceiling is 0.95 × N, less that last backoff (about
            1 s). The stand-in counts the slots that passed with no request waiting: its idle time is capacity the app left unused
            (the app between requests, or the machine's other work pausing the process), and the last row is the retry tail.
            Before this change the run's 429s waited for the runs after the backlog: on 2026-11-28 04:50 UTC (load 1.7) the time from
            the last first try to the last accepted was 6.7, 6.5 and 9.9 s (2.4, 2.1 and 4.9 s of it idle: 2nd tries queued behind
            the whole backlog, then their 429s waiting 2 s and 4 s at the end), and the rounds gave 43.8, 43.9 and 42.5 /s.
            The stand-in shares the test process with the app, and its slot timers run on the thread pool: with the pool's
            default floor (one thread per core, 2 here) they fired 0.5-0.9 s late every 10-20 s, all four waiting requests at
            once, on an idle machine and with no app at all (a bare HttpClient against the stand-in, 2026-11-28 06:25 UTC: 3 such
            stalls in 50 s; with a floor of 16 threads, none). So this benchmark raises the floor to 16 while it runs, as a real
            provider's servers do not stall with the client's process.
            {LoadNote}
            """);

        Assert.Equal(total, sentInAll);
    }

    /// <summary>Raises the thread pool's minimum to <paramref name="threads"/> until disposed (the stand-in's timers in this process).</summary>
    private sealed class ThreadPoolFloor : IDisposable
    {
        private readonly int workers;
        private readonly int io;

        public ThreadPoolFloor(int threads)
        {
            ThreadPool.GetMinThreads(out workers, out io);
            ThreadPool.SetMinThreads(Math.Max(workers, threads), Math.Max(io, threads));
        }

        public void Dispose() => ThreadPool.SetMinThreads(workers, io);
    }

    /// <summary>
    /// Each timed side starts from the same state: the database's write-ahead log checkpointed and
    /// emptied, and the page cache's dirty pages (the notices just inserted) written out, so neither
    /// side pays for the set-up's disk writes.
    /// </summary>
    private static async Task SettleAsync(ClinicAppFactory app)
    {
        await using (var db = await app.CreateDbContextAsync())
        {
            await db.Database.ExecuteSqlRawAsync(app.Provider == DatabaseProvider.PostgreSql ? "CHECKPOINT;" : "PRAGMA wal_checkpoint(TRUNCATE);");
        }

        using (var sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false }))
        {
            await sync!.WaitForExitAsync();
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
    }

    private static string Command => Quick ? "CLINIC_BENCH_QUICK=1 ./test.sh --bench" : "./test.sh --bench";

    private static string LoadNote => $"Load average {LoadAverage()} when this table was written; other work on the machine slows the sends, so compare ratios taken side by side.";

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private sealed record BenchPractitioner(int Id, string Email, string Mobile);

    private static string Seconds(double value) => $"{value.ToString("0.000", CultureInfo.InvariantCulture)} s";

    /// <summary>Practitioners (each a staff user with their own mobile number) who want every cancellation by this method.</summary>
    private static async Task<List<BenchPractitioner>> AddPractitionersAsync(ClinicAppFactory app, int count, string prefix, NotificationMethod method)
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
                MobileE164 = $"+614{i:D8}",
                NotificationMethod = method,
                NotifyOfMoves = true,
                SortOrder = 1000 + i,
            };
            db.Add(user);
            db.Add(practitioner);
            added.Add(practitioner);
        }

        await db.SaveChangesAsync();
        return added.Select(p => new BenchPractitioner(p.Id, p.NotificationEmail, p.MobileE164)).ToList();
    }

    private static async Task TopUpAsync(ClinicAppFactory app, int credits)
    {
        await using var admin = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var topUp = await admin.ServiceProvider.GetRequiredService<SmsCreditService>().TopUpAsync(credits, "benchmark");
        Assert.True(topUp.Succeeded, topUp.Error);
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

    /// <summary>What a cancellation would have written: the cancelled appointment, its notice and one pending delivery by this channel.</summary>
    private static async Task AddPendingNoticesAsync(ClinicAppFactory app, List<BenchPractitioner> practitioners, NoticeChannel channel, DateTime dueAt)
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
                PatientFirstName = "Jane",
                PatientLastName = "Smith",
                AppointmentTypeName = "Follow-up",
                CancelledByKind = CancellerKind.Reception,
                CancelledByName = "Sam Taylor",
                ReasonCode = CancellationReason.Sick,
                Method = channel == NoticeChannel.Sms ? NotificationMethod.Sms : NotificationMethod.Email,
                Email = channel == NoticeChannel.Email ? practitioners[i].Email : "",
                MobileE164 = channel == NoticeChannel.Sms ? practitioners[i].Mobile : "",
                Deliveries =
                [
                    new NoticeDelivery
                    {
                        PractitionerId = practitioners[i].Id,
                        Kind = DeliveryKind.Cancellation,
                        Channel = channel,
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
}
