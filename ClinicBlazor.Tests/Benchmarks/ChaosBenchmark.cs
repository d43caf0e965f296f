using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.OnlineBookings;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

#pragma warning disable CA5394 // The chaos schedule needs a seedable generator, not a secure one.

namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>
/// Scenario 6: the app as its own process, killed with SIGKILL at random moments and restarted on
/// the same SQLite file, while patients cancel through their booking links (HTTP form POSTs, so
/// every cancellation goes through AppointmentService.CancelAsync in the app, notice included, and
/// the app's own in-process signal schedules delivery). Meanwhile maildev is stopped for a minute
/// and the Twilio stand-in answers 5 % 429s and a few slow answers past the client's timeout.
/// Afterwards the SMTP server, the stand-in and the database are counted against each other.
/// CLINIC_BENCH_FULL=1 (./test.sh --bench --full): 1,000 cancellations, 20 kills.
/// CLINIC_BENCH_QUICK=1: 100 cancellations, 3 kills (smoke run). CLINIC_CHAOS_SEED repeats a schedule.
/// </summary>
[Collection(BenchmarkCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed partial class ChaosBenchmark : IAsyncLifetime
{
    private static readonly bool Full = Environment.GetEnvironmentVariable("CLINIC_BENCH_FULL") == "1";
    private static readonly bool Quick = Environment.GetEnvironmentVariable("CLINIC_BENCH_QUICK") == "1";

    private const int LeaseSeconds = 15;
    private const int TwilioTimeoutSeconds = 3;
    private const int FirstRetrySeconds = 2;
    private const double CancellationsPerSecond = 2;
    private const double TooManyRequestsShare = 0.05;
    private const double SlowShare = 0.01;
    private static readonly TimeSpan SlowAnswer = TimeSpan.FromSeconds(TwilioTimeoutSeconds + 4);
    private static readonly TimeSpan Outage = TimeSpan.FromMinutes(1);
    private static readonly DeliveryState[] OpenStates = [DeliveryState.Pending, DeliveryState.Sending, DeliveryState.Retrying, DeliveryState.Unknown];

    private readonly string directory = Path.Combine(Path.GetTempPath(), "clinicblazor-chaos", Guid.NewGuid().ToString("N"));
    private readonly string progressPath = Path.Combine(Path.GetTempPath(), "clinicblazor-chaos-progress.log");
    private readonly MaildevServer maildev = new() { KeepsMailAcrossRestarts = true };
    private readonly TwilioStandIn standIn = new();
    private readonly Stopwatch clock = new();
    private readonly Lock progressGate = new();
    private AppProcess? app;

    /// <summary>The app's own output, kept after the run for reading.</summary>
    public static string AppLogPath => Path.Combine(Path.GetTempPath(), "clinicblazor-chaos-app.log");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(directory);
        File.Delete(AppLogPath);
        File.Delete(progressPath);
        await maildev.InitializeAsync();
        await standIn.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }

        await standIn.DisposeAsync();
        await maildev.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS's temp cleaning.
        }
    }

    [Fact]
    public async Task Chaos_kills_an_SMTP_outage_429s_and_slow_answers()
    {
        var cancellations = Full ? 1000 : Quick ? 100 : 500;
        var plannedKills = Full ? 20 : Quick ? 3 : 10;
        // 20 cancellations per practitioner: a practitioner's SMS stay within the one page (50) of
        // Twilio's log that reconciliation reads.
        var practitionerCount = Math.Max(5, cancellations / 20);
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CLINIC_CHAOS_SEED"), CultureInfo.InvariantCulture, out var chosen) ? chosen : Environment.TickCount & 0xFFFF;
        var random = new Random(seed);
        var script = Script(random, cancellations * 4);
        standIn.Enqueue([.. script]);

        var connectionString = $"Data Source={Path.Combine(directory, "clinic.db")}";
        app = new AppProcess(AppEnvironment(connectionString), AppLogPath, TimeSpan.FromMinutes(Full ? 60 : 30));
        Progress($"seed {seed}: {cancellations} cancellations, {practitionerCount} practitioners, {plannedKills} kills; app log {AppLogPath}");
        await app.StartAsync(TimeSpan.FromMinutes(3));
        var targets = await SetUpAsync(connectionString, practitionerCount, cancellations);
        Progress("set up; cancelling");

        var phase = TimeSpan.FromSeconds(cancellations / CancellationsPerSecond);
        clock.Start();
        var cancelling = CancelAllAsync(targets);
        var killing = KillAtRandomAsync(random, plannedKills, phase + TimeSpan.FromSeconds(30));
        var outage = StopMaildevAsync(TimeSpan.FromSeconds(phase.TotalSeconds * 0.3));
        var (committed, gaveUp, tries) = await cancelling;
        var cancelledAfter = clock.Elapsed;
        await killing;
        await outage;
        Progress($"cancellations done in {cancelledAfter.TotalSeconds:0} s ({gaveUp} gave up); chaos over at {clock.Elapsed.TotalSeconds:0} s; waiting for deliveries");

        await app.StartAsync(TimeSpan.FromMinutes(3));
        var drainedAt = await WaitUntilTerminalAsync(connectionString, targets, TimeSpan.FromMinutes(Full ? 20 : 12));
        var counts = await CountAsync(connectionString, targets);
        var posts = standIn.MessagePosts.Count;
        var served = script.Take(posts).ToList();
        var tooMany = served.Count(r => r.Status == 429);
        var slow = served.Count(r => r.Delay > TimeSpan.Zero);
        var lookUps = standIn.Requests.Count(r => r.Method == "GET");
        Progress($"counted: {counts}");

        var kills = app.Kills;
        var drained = drainedAt is { } at ? $"{(at - cancelledAfter).TotalSeconds:0} s after the last cancellation" : "**not within the timeout**";
        var command = Full ? "./test.sh --bench --full" : Quick ? "CLINIC_BENCH_QUICK=1 ./test.sh --bench" : "./test.sh --bench";
        // --full keeps its own block, so the default run's figures stay beside it.
        await PerformanceReport.PublishAsync(
            Full ? "chaos-full" : "chaos",
            Full ? "Chaos, --full: 1,000 cancellations, 20 kills" : "Chaos: kills, SMTP outage, 429s and slow SMS answers",
            command,
            [
                ("cancellations committed (patients' links, HTTP, while the app was being killed)", $"{counts.Cancelled} of {cancellations}", $"{cancellations}", counts.Cancelled == cancellations),
                ("patients' tries (GET the link + POST the form) for those", $"{tries}", "—", null),
                ("app killed with SIGKILL and restarted", $"{kills} times", $"{plannedKills}", kills == plannedKills),
                ("SMTP server (maildev) stopped", $"{Outage.TotalSeconds:0} s", "1 min", null),
                ("stand-in: 429s / answers slower than the client's timeout", $"{tooMany} / {slow} of {posts} POSTs", "5 % / a few", null),
                ("sends cut off by a kill and taken up after the lease (email / SMS attempts)", $"{counts.CutOffEmails} / {counts.CutOffSms}", "—", null),
                ("notices lost", $"{counts.Lost}", "0", counts.Lost == 0),
                ("deliveries charged twice", $"{counts.ChargedTwice}", "0", counts.ChargedTwice == 0),
                ("SMS charged but never accepted, or accepted but not charged", $"{counts.ChargeMismatch}", "0", counts.ChargeMismatch == 0),
                ("duplicate emails (emails repeating a cancellation already received)", $"{counts.DuplicateEmails}", $"≤ {kills} (kills)", counts.DuplicateEmails <= kills),
                ("duplicate SMS (same delivery reference reaching the phone twice)", $"{counts.DuplicateSms}", "0", counts.DuplicateSms == 0),
                ("ledger sum = balance", $"{counts.LedgerSum} = {counts.Balance}", "must hold", counts.LedgerSum == counts.Balance),
                ("all deliveries terminal", drained, "—", null),
            ],
            $"""
            {cancellations} appointments, {cancellations / practitionerCount} for each of {practitionerCount} practitioners on `SMS and email` (any time ahead), each
            booked with a private link; {4} HTTP clients cancel them as the patients (GET the link, POST the form: the app's one cancel
            path, `AppointmentService.CancelAsync`, notice and deliveries in the same transaction, then the app's own in-process
            signal), {CancellationsPerSecond:0} a second, retrying a cancellation until the app answers (a try whose answer was lost finds the link
            already used; every appointment is checked cancelled in the database). The app runs as its own process
            (`dotnet ClinicBlazor.dll`, Production, the same SQLite file throughout) with `Notifications:BatchWindowSeconds=0`,
            `LeaseSeconds={LeaseSeconds}`, `Retry:FirstDelaySeconds={FirstRetrySeconds}`, Twilio `TimeoutSeconds={TwilioTimeoutSeconds}`; it is killed {kills} times at random
            moments over the cancellations and the 30 s after them (seed {seed}; `CLINIC_CHAOS_SEED={seed}` repeats the schedule) and
            restarted 0.2–2 s later. maildev is stopped (SIGKILL, refusing connections) for a minute at 30 % of the run and
            started again with the mail it had accepted (`--mail-directory`). The stand-in's answers are scripted at random:
            {TooManyRequestsShare:P0} 429 (not kept), {SlowShare:P0} kept but answered after {SlowAnswer.TotalSeconds:0} s (past the client's timeout: `Unknown`, reconciled
            against the stand-in's log), the rest 201; it answered {lookUps} log look-ups.
            Counted afterwards, from the three sources. *Lost*: a cancelled appointment with no notice, a delivery not in a final
            state ({counts.NotTerminal}), failed ({counts.Failed}) or skipped ({counts.Skipped}), or recorded sent but absent from maildev or from the
            stand-in's log ({counts.NotReceived}). *Charged twice*: an SMS delivery whose ledger entries net more than one credit.
            *Duplicate emails*: maildev's emails, in arrival order, that list (by the unique patient name) a cancellation an
            earlier email already listed ({counts.RepeatedListings} repeated listings in all; {counts.Emails} emails for {counts.Cancelled} cancellations, digests
            included). *Duplicate SMS*: messages in the stand-in's log (what reached the phone, slow answers included) with a
            reference already there for that number. The ledger check sums every ledger entry against the stored balance.
            A re-sent email after a kill is the documented at-least-once case (the lease expired in `Sending`); an email
            repeated by the SMTP outage itself is possible too when maildev dies after storing a message but before answering.
            A kill only tests the lease when it lands while a send is in flight: the "cut off" row says how often that happened
            in this run (sends take milliseconds, so most kills land between sends; `--full` doubles the chances).
            Limits of what this proves: reconciliation reads one page (50) of Twilio's log for the number, so each practitioner
            here gets 20 SMS; a number sent more than 50 messages between an attempt and its reconciliation would be re-sent.
            Quartz's in-memory store loses the signal's trigger with the process; after a restart the 30 s periodic run (or the
            next cancellation's signal) takes the work up, which the drain time above includes.
            """);

        Assert.Equal(cancellations, counts.Cancelled);
        Assert.Equal(counts.Balance, counts.LedgerSum);
        Assert.Equal(0, counts.Lost);
        Assert.Equal(0, counts.ChargedTwice);
        Assert.Equal(0, counts.DuplicateSms);
        Assert.InRange(counts.DuplicateEmails, 0, kills);
        Assert.Equal(0, gaveUp);
        Assert.Equal(cancellations, committed);
    }

    private sealed record Target(int Index, int AppointmentId, int PractitionerId, string Email, string Mobile, string Token, string PatientName);

    private sealed record Counts(
        int Cancelled, int Lost, int NotTerminal, int Failed, int Skipped, int NotReceived, int ChargedTwice, int ChargeMismatch,
        int Emails, int DuplicateEmails, int RepeatedListings, int DuplicateSms, int LedgerSum, int Balance, int CutOffEmails, int CutOffSms);

    private Dictionary<string, string> AppEnvironment(string connectionString) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["ConnectionStrings__Clinic"] = connectionString,
        ["Demo__Seed"] = "true",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        ["Notifications__BatchWindowSeconds"] = "0",
        ["Notifications__LeaseSeconds"] = LeaseSeconds.ToString(CultureInfo.InvariantCulture),
        ["Notifications__Retry__FirstDelaySeconds"] = FirstRetrySeconds.ToString(CultureInfo.InvariantCulture),
        ["Notifications__Retry__GiveUpAfterHours"] = "1",
        ["Notifications__Email__Smtp__Host"] = "127.0.0.1",
        ["Notifications__Email__Smtp__Port"] = maildev.SmtpPort.ToString(CultureInfo.InvariantCulture),
        ["Notifications__Email__Smtp__Security"] = "None",
        ["Notifications__Email__Smtp__FromAddress"] = "notices@chaos.example",
        ["Notifications__Sms__Twilio__AccountSid"] = TwilioStandIn.AccountSid,
        ["Notifications__Sms__Twilio__AuthToken"] = TwilioStandIn.AuthToken,
        ["Notifications__Sms__Twilio__From"] = TwilioStandIn.From,
        ["Notifications__Sms__Twilio__BaseUrl"] = standIn.BaseUrl.ToString(),
        ["Notifications__Sms__Twilio__TimeoutSeconds"] = TwilioTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
        ["OnlineBookings__PermitLimit"] = "1000000",
    };

    /// <summary>The stand-in's answers, in order: 5 % 429, 1 % kept but answered after the client's timeout, the rest 201.</summary>
    private static List<StandInReply> Script(Random random, int length) =>
        Enumerable.Range(0, length).Select(_ => random.NextDouble() switch
        {
            < TooManyRequestsShare => StandInReply.TooManyRequests(),
            < TooManyRequestsShare + SlowShare => StandInReply.AcceptAfter(SlowAnswer),
            _ => StandInReply.Accept(),
        }).ToList();

    private static ClinicDbContext Open(string connectionString) =>
        new(new DbContextOptionsBuilder<ClinicDbContext>().UseSqlite(connectionString).AddInterceptors(new SqlitePragmas()).Options);

    /// <summary>Practitioners on SMS and email, one patient and one online booking (with its link) per cancellation, and credits three times over.</summary>
    private static async Task<List<Target>> SetUpAsync(string connectionString, int practitionerCount, int cancellations)
    {
        await using var db = Open(connectionString);
        var booked = await new OnlineCancellations("Chaos", 1, "bench.example").SetUpAsync(db, practitionerCount, cancellations, creditsEach: 3, DateTime.UtcNow);
        return [.. booked.Select(b => new Target(b.Index, b.AppointmentId, b.PractitionerId, b.Email, b.Mobile, b.Token, b.PatientName))];
    }

    /// <summary>Four clients cancel at the set pace; each cancellation is retried until the app answers it.</summary>
    private async Task<(int Committed, int GaveUp, int Tries)> CancelAllAsync(IReadOnlyList<Target> targets)
    {
        int next = -1, committed = 0, gaveUp = 0, tries = 0;
        async Task WorkerAsync()
        {
            using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
            using var http = new HttpClient(handler) { BaseAddress = app!.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= targets.Count)
                {
                    return;
                }

                var wait = TimeSpan.FromSeconds(i / CancellationsPerSecond) - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                var (done, attempts) = await CancelOneAsync(http, targets[i].Token);
                Interlocked.Add(ref tries, attempts);
                if (done)
                {
                    Interlocked.Increment(ref committed);
                }
                else
                {
                    Interlocked.Increment(ref gaveUp);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => WorkerAsync()));
        return (committed, gaveUp, tries);
    }

    private static async Task<(bool Done, int Tries)> CancelOneAsync(HttpClient http, string token)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var page = await http.GetStringAsync(new Uri($"booking/{token}", UriKind.Relative));
                if (page.Contains("This link is not valid", StringComparison.Ordinal))
                {
                    // An earlier try committed but its answer was lost to a kill (the database check at the end confirms it).
                    return (true, attempt);
                }

                if (await PatientLink.ConfirmCancellationAsync(http, token, page))
                {
                    return (true, attempt);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or InvalidOperationException
                                                  or System.Net.Sockets.SocketException or IOException)
            {
                // The app is down or restarting (a connection killed as it opened surfaces as a bare SocketException): try again, as a patient would.
            }

            if (DateTime.UtcNow > deadline)
            {
                return (false, attempt);
            }

            await Task.Delay(500);
        }
    }

    /// <summary>SIGKILLs the app at random moments within <paramref name="span"/>, restarting it 0.2–2 s later each time.</summary>
    private async Task KillAtRandomAsync(Random random, int kills, TimeSpan span)
    {
        var moments = Enumerable.Range(0, kills).Select(_ => TimeSpan.FromSeconds(5 + (random.NextDouble() * (span.TotalSeconds - 5)))).Order().ToList();
        var pauses = moments.Select(_ => TimeSpan.FromMilliseconds(200 + random.Next(1800))).ToList();
        for (var k = 0; k < moments.Count; k++)
        {
            var wait = moments[k] - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            await app!.KillAsync();
            Progress($"kill {k + 1} at {clock.Elapsed.TotalSeconds:0} s");
            await Task.Delay(pauses[k]);
            await app.StartAsync(TimeSpan.FromMinutes(3));
        }
    }

    private async Task StopMaildevAsync(TimeSpan at)
    {
        await Task.Delay(at);
        await maildev.StopAsync();
        Progress($"maildev stopped at {clock.Elapsed.TotalSeconds:0} s");
        await Task.Delay(Outage);
        await maildev.StartAsync();
        Progress($"maildev started at {clock.Elapsed.TotalSeconds:0} s");
    }

    /// <summary>Polls the database until every delivery of the benchmark's notices is final; the moment it was, or null.</summary>
    private async Task<TimeSpan?> WaitUntilTerminalAsync(string connectionString, IReadOnlyList<Target> targets, TimeSpan timeout)
    {
        var ids = targets.Select(t => t.AppointmentId).ToList();
        var deadline = clock.Elapsed + timeout;
        while (true)
        {
            int open, notices, cancelled;
            await using (var db = Open(connectionString))
            {
                open = await db.Set<NoticeDelivery>().CountAsync(d => ids.Contains(d.Notice!.AppointmentId)
                    && (d.State == DeliveryState.Pending || d.State == DeliveryState.Sending || d.State == DeliveryState.Retrying || d.State == DeliveryState.Unknown));
                notices = await db.Set<CancellationNotice>().CountAsync(n => ids.Contains(n.AppointmentId));
                cancelled = await db.Set<Appointment>().CountAsync(a => ids.Contains(a.Id) && a.Status == AppointmentStatus.Cancelled);
            }

            if (open == 0 && notices >= cancelled)
            {
                return clock.Elapsed;
            }

            if (clock.Elapsed > deadline)
            {
                Progress($"timed out: {open} deliveries still open, {notices} notices");
                return null;
            }

            await Task.Delay(2000);
        }
    }

    private async Task<Counts> CountAsync(string connectionString, IReadOnlyList<Target> targets)
    {
        var ids = targets.Select(t => t.AppointmentId).ToList();
        List<int> cancelled;
        List<CancellationNotice> notices;
        Dictionary<int, int> netCharge;
        int ledgerSum, balance;
        List<(int DeliveryId, DateTime StartedAtUtc, DateTime? FinishedAtUtc)> attempts;
        await using (var db = Open(connectionString))
        {
            cancelled = await db.Set<Appointment>().AsNoTracking().Where(a => ids.Contains(a.Id) && a.Status == AppointmentStatus.Cancelled).Select(a => a.Id).ToListAsync();
            notices = await db.Set<CancellationNotice>().AsNoTracking().Include(n => n.Deliveries).Where(n => ids.Contains(n.AppointmentId)).ToListAsync();
            netCharge = (await db.Set<SmsCreditLedgerEntry>().AsNoTracking().Where(e => e.DeliveryId != null)
                    .GroupBy(e => e.DeliveryId!.Value).Select(g => new { g.Key, Net = -g.Sum(e => e.Amount) }).ToListAsync())
                .ToDictionary(g => g.Key, g => g.Net);
            ledgerSum = await db.Set<SmsCreditLedgerEntry>().SumAsync(e => e.Amount);
            balance = await db.Set<SmsCreditAccount>().Select(a => a.Balance).SingleAsync();
            var deliveryIds = notices.SelectMany(n => n.Deliveries).Select(d => d.Id).ToList();
            attempts = (await db.Set<DeliveryAttempt>().AsNoTracking().Where(a => deliveryIds.Contains(a.DeliveryId))
                    .Select(a => new { a.DeliveryId, a.StartedAtUtc, a.FinishedAtUtc }).ToListAsync())
                .Select(a => (a.DeliveryId, a.StartedAtUtc, a.FinishedAtUtc)).ToList();
        }

        // A send cut off by a kill: its attempt never finished (email, or SMS not found in the log), or
        // finished only when reconciliation found it after the lease (a run stamps start and finish alike).
        var channelOf = notices.SelectMany(n => n.Deliveries).ToDictionary(d => d.Id, d => d.Channel);
        var cutOff = attempts.Where(a => a.FinishedAtUtc is not { } finished || finished - a.StartedAtUtc >= TimeSpan.FromSeconds(LeaseSeconds)).ToList();
        var cutOffEmails = cutOff.Count(a => channelOf[a.DeliveryId] == NoticeChannel.Email);
        var cutOffSms = cutOff.Count - cutOffEmails;

        // What reached maildev: for each email (in arrival order), the benchmark's patients it lists.
        var emails = (await maildev.GetEmailsAsync()).Where(e => e.ToAddress.EndsWith("@bench.example", StringComparison.OrdinalIgnoreCase)).ToList();
        var listedIn = new Dictionary<string, int>(StringComparer.Ordinal);
        var duplicateEmails = 0;
        foreach (var email in emails)
        {
            var names = PatientPattern().Matches(email.Text ?? "").Select(m => $"{email.ToAddress.ToLowerInvariant()}|{m.Value}").Distinct().ToList();
            if (names.Any(listedIn.ContainsKey))
            {
                duplicateEmails++;
            }

            foreach (var name in names)
            {
                listedIn[name] = listedIn.GetValueOrDefault(name) + 1;
            }
        }

        // What reached the phones: the stand-in's log, by number and reference.
        var sms = standIn.Messages.GroupBy(m => (m.To, Reference: ReferencePattern().Match(m.Body).Groups[1].Value)).ToDictionary(g => g.Key, g => g.Count());

        var byAppointment = notices.GroupBy(n => n.AppointmentId).ToDictionary(g => g.Key, g => g.ToList());
        int lost = 0, notTerminal = 0, failed = 0, skipped = 0, notReceived = 0, chargedTwice = 0, mismatch = 0;
        foreach (var target in targets.Where(t => cancelled.Contains(t.AppointmentId)))
        {
            var isLost = false;
            if (!byAppointment.TryGetValue(target.AppointmentId, out var found) || found.Count != 1 || found[0].SuppressionReason is not null)
            {
                lost++;
                continue;
            }

            foreach (var delivery in found[0].Deliveries.Where(d => d.Kind == DeliveryKind.Cancellation))
            {
                var received = delivery.Channel == NoticeChannel.Email
                    ? listedIn.ContainsKey($"{target.Email}|{target.PatientName}")
                    : delivery.SmsReference is { } reference && sms.ContainsKey((target.Mobile, reference));
                if (delivery.Channel == NoticeChannel.Sms)
                {
                    var net = netCharge.GetValueOrDefault(delivery.Id);
                    chargedTwice += net > 1 ? 1 : 0;
                    mismatch += (net == 1) != received ? 1 : 0;
                }

                switch (delivery.State)
                {
                    case var state when OpenStates.Contains(state):
                        notTerminal++;
                        isLost = true;
                        break;
                    case DeliveryState.Failed or DeliveryState.Undelivered:
                        failed++;
                        isLost = true;
                        break;
                    case DeliveryState.Skipped:
                        skipped++;
                        isLost = true;
                        break;
                    case DeliveryState.Sent or DeliveryState.Delivered when !received:
                        notReceived++;
                        isLost = true;
                        break;
                }
            }

            lost += isLost ? 1 : 0;
        }

        var benchMobiles = targets.Select(t => t.Mobile).ToHashSet(StringComparer.Ordinal);
        var duplicateSms = sms.Where(s => benchMobiles.Contains(s.Key.To)).Sum(s => s.Value - 1);
        var repeatedListings = listedIn.Values.Sum(c => c - 1);
        return new Counts(cancelled.Count, lost, notTerminal, failed, skipped, notReceived, chargedTwice, mismatch,
            emails.Count, duplicateEmails, repeatedListings, duplicateSms, ledgerSum, balance, cutOffEmails, cutOffSms);
    }

    private void Progress(string line)
    {
        var stamped = $"{DateTime.UtcNow:HH:mm:ss} {line}";
        Console.WriteLine($"chaos: {stamped}");
        lock (progressGate)
        {
            File.AppendAllText(progressPath, stamped + Environment.NewLine);
        }
    }

    [GeneratedRegex(@"Chaos P\d{4}")]
    private static partial Regex PatientPattern();

    [GeneratedRegex(@"Ref ([A-Z0-9]+)\s*$")]
    private static partial Regex ReferencePattern();
}
