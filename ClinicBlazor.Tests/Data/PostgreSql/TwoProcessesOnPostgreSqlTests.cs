using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using ClinicBlazor.Data.PostgreSql;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.OnlineBookings;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Benchmarks;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Tests.Data.PostgreSql;

/// <summary>
/// Two app processes (<c>dotnet ClinicBlazor.dll</c>, each its own port) on one PostgreSQL, with a real
/// SMTP server (maildev) and the Twilio stand-in: 300 patients cancel through their booking links,
/// sent to the two nodes alternately, and every node's dispatcher takes its share. Counted where the
/// messages arrive: every cancellation in exactly one email and one SMS, each SMS charged once, and
/// the ledger adding up to the balance. Then the same with one node SIGKILLed halfway. Both tests share
/// the two processes (<see cref="TwoAppProcesses"/>), each with practitioners and patients of its own.
/// </summary>
public sealed partial class TwoProcessesOnPostgreSqlTests(TwoAppProcesses nodes) : IClassFixture<TwoAppProcesses>
{
    private const int Cancellations = 300;

    // 20 cancellations a practitioner: each number's SMS stay within the one page (50) of Twilio's log
    // that reconciliation reads after a kill.
    private const int Practitioners = Cancellations / 20;

    private static readonly DeliveryState[] OpenStates = [DeliveryState.Pending, DeliveryState.Sending, DeliveryState.Retrying, DeliveryState.Unknown];

    private readonly TimeProvider clock = ShiftedClock.FromEnvironment ?? TimeProvider.System;

    private AppProcess NodeA => nodes.A;

    private AppProcess NodeB => nodes.B;

    [Fact]
    public async Task Cancellations_sent_to_two_nodes_alternately_are_each_delivered_exactly_once_and_charged_once()
    {
        var targets = await SetUpAsync("Alternate", 1);

        var cancelled = await CancelAsync(targets, (target, i) => i % 2 == 0 ? NodeA : NodeB);

        Assert.Equal(Cancellations, cancelled);
        await WaitUntilFinalAsync(targets);
        var counts = await CountAsync(targets);
        Assert.Equal(Cancellations, counts.Cancelled);
        Assert.Equal((0, 0, 0, 0), (counts.Lost, counts.NotReceived, counts.ChargedTwice, counts.ChargeMismatch));
        Assert.Equal((0, 0), (counts.DuplicateEmails, counts.DuplicateSms));
        Assert.Equal(counts.Balance, counts.LedgerSum);
    }

    [Fact]
    public async Task A_node_killed_halfway_loses_nothing_and_the_survivor_delivers_its_work()
    {
        var targets = await SetUpAsync("Killed", 2);

        // The first half alternately; then node B is SIGKILLed (whatever it had claimed stays in Sending
        // under its lease) and the second half goes to node A.
        var firstHalf = await CancelAsync(targets.Take(Cancellations / 2).ToList(), (target, i) => i % 2 == 0 ? NodeA : NodeB);
        await NodeB.KillAsync();
        var secondHalf = await CancelAsync(targets.Skip(Cancellations / 2).ToList(), (target, i) => NodeA);

        Assert.Equal(Cancellations, firstHalf + secondHalf);
        await WaitUntilFinalAsync(targets);
        var counts = await CountAsync(targets);
        Assert.Equal(Cancellations, counts.Cancelled);
        Assert.Equal((0, 0, 0, 0), (counts.Lost, counts.NotReceived, counts.ChargedTwice, counts.ChargeMismatch));
        Assert.Equal(0, counts.DuplicateSms);

        // The documented crash window: the email node B had on the wire when it died may go again.
        Assert.InRange(counts.DuplicateEmails, 0, 1);
        Assert.Equal(counts.Balance, counts.LedgerSum);
    }

    private sealed record Target(int AppointmentId, string Email, string Mobile, string Token, string PatientName, string FirstName);

    private sealed record Counts(int Cancelled, int Lost, int NotReceived, int ChargedTwice, int ChargeMismatch, int DuplicateEmails, int DuplicateSms, int LedgerSum, int Balance);

    private PostgreSqlClinicDbContext Open() =>
        new(new DbContextOptionsBuilder<PostgreSqlClinicDbContext>().UseNpgsql(nodes.ConnectionString).Options);

    /// <summary>
    /// Practitioners on SMS and email, one patient and one online booking (with its link) per cancellation,
    /// and credits; the names, addresses and numbers are this test's own (<paramref name="name"/>, <paramref name="series"/>).
    /// Both nodes are running (the other test may have killed one).
    /// </summary>
    private async Task<List<Target>> SetUpAsync(string name, int series)
    {
        await nodes.StartBothAsync();
        await using var db = Open();
        var booked = await new OnlineCancellations(name, series, "nodes.example").SetUpAsync(db, Practitioners, Cancellations, creditsEach: 2, clock.GetUtcNow().UtcDateTime);
        return [.. booked.Select(b => new Target(b.AppointmentId, b.Email, b.Mobile, b.Token, b.PatientName, name))];
    }

    /// <summary>Four patients at a time cancel through their links on the node chosen for each; returns how many were cancelled.</summary>
    private static async Task<int> CancelAsync(IReadOnlyList<Target> targets, Func<Target, int, AppProcess> nodeFor)
    {
        int next = -1, cancelled = 0;
        async Task WorkerAsync()
        {
            while (Interlocked.Increment(ref next) is var i && i < targets.Count)
            {
                using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
                using var http = new HttpClient(handler) { BaseAddress = nodeFor(targets[i], i).BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
                if (await CancelOneAsync(http, targets[i].Token))
                {
                    Interlocked.Increment(ref cancelled);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => WorkerAsync()));
        return cancelled;
    }

    private static async Task<bool> CancelOneAsync(HttpClient http, string token)
    {
        var page = await http.GetStringAsync(new Uri($"booking/{token}", UriKind.Relative));
        return await PatientLink.ConfirmCancellationAsync(http, token, page);
    }

    /// <summary>
    /// Waits for the outcome: every notice's deliveries final. A dead node's claims wait for their lease
    /// and the survivor's periodic run (30 s), so the patience is generous; it is not a measurement.
    /// </summary>
    private async Task WaitUntilFinalAsync(IReadOnlyList<Target> targets)
    {
        var ids = targets.Select(t => t.AppointmentId).ToList();
        var deadline = Deadline.In(TimeSpan.FromMinutes(5));
        while (true)
        {
            await using (var db = Open())
            {
                var notices = await db.Set<CancellationNotice>().CountAsync(n => ids.Contains(n.AppointmentId));
                var open = await db.Set<NoticeDelivery>().CountAsync(d => ids.Contains(d.Notice!.AppointmentId) && OpenStates.Contains(d.State));
                if (notices == ids.Count && open == 0)
                {
                    return;
                }

                Assert.False(deadline.Passed, $"{ids.Count - notices} cancellations without a notice and {open} deliveries still open after 5 minutes.");
            }

            await Task.Delay(500);
        }
    }

    private async Task<Counts> CountAsync(IReadOnlyList<Target> targets)
    {
        var ids = targets.Select(t => t.AppointmentId).ToList();
        List<int> cancelled;
        List<CancellationNotice> notices;
        Dictionary<int, int> netCharge;
        int ledgerSum, balance;
        await using (var db = Open())
        {
            cancelled = await db.Set<Appointment>().AsNoTracking().Where(a => ids.Contains(a.Id) && a.Status == AppointmentStatus.Cancelled).Select(a => a.Id).ToListAsync();
            notices = await db.Set<CancellationNotice>().AsNoTracking().Include(n => n.Deliveries).Where(n => ids.Contains(n.AppointmentId)).ToListAsync();
            netCharge = (await db.Set<SmsCreditLedgerEntry>().AsNoTracking().Where(e => e.DeliveryId != null)
                    .GroupBy(e => e.DeliveryId!.Value).Select(g => new { g.Key, Net = -g.Sum(e => e.Amount) }).ToListAsync())
                .ToDictionary(g => g.Key, g => g.Net);
            ledgerSum = await db.Set<SmsCreditLedgerEntry>().SumAsync(e => e.Amount);
            balance = await db.Set<SmsCreditAccount>().Select(a => a.Balance).SingleAsync();
        }

        // What reached maildev: for each email (in arrival order), the patients it lists.
        var addresses = targets.Select(t => t.Email).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var patientPattern = new Regex($@"{targets[0].FirstName} P\d{{4}}");
        var emails = (await nodes.Maildev.GetEmailsAsync()).Where(e => addresses.Contains(e.ToAddress)).ToList();
        var listedIn = new Dictionary<string, int>(StringComparer.Ordinal);
        var duplicateEmails = 0;
        foreach (var email in emails)
        {
            var names = patientPattern.Matches(email.Text ?? "").Select(m => $"{email.ToAddress.ToLowerInvariant()}|{m.Value}").Distinct().ToList();
            duplicateEmails += names.Any(listedIn.ContainsKey) ? 1 : 0;
            foreach (var name in names)
            {
                listedIn[name] = listedIn.GetValueOrDefault(name) + 1;
            }
        }

        // What reached the phones: the stand-in's log, by number and reference.
        var sms = nodes.StandIn.Messages.GroupBy(m => (m.To, Reference: ReferencePattern().Match(m.Body).Groups[1].Value)).ToDictionary(g => g.Key, g => g.Count());
        var mobiles = targets.Select(t => t.Mobile).ToHashSet(StringComparer.Ordinal);
        var duplicateSms = sms.Where(s => mobiles.Contains(s.Key.To)).Sum(s => s.Value - 1);

        var byAppointment = notices.GroupBy(n => n.AppointmentId).ToDictionary(g => g.Key, g => g.ToList());
        int lost = 0, notReceived = 0, chargedTwice = 0, mismatch = 0;
        foreach (var target in targets.Where(t => cancelled.Contains(t.AppointmentId)))
        {
            if (!byAppointment.TryGetValue(target.AppointmentId, out var found) || found.Count != 1 || found[0].SuppressionReason is not null)
            {
                lost++;
                continue;
            }

            var deliveries = found[0].Deliveries.Where(d => d.Kind == DeliveryKind.Cancellation).ToList();
            lost += deliveries.Count(d => d.Channel == NoticeChannel.Email) == 1 && deliveries.Count(d => d.Channel == NoticeChannel.Sms) == 1
                && deliveries.All(d => d.State is DeliveryState.Sent or DeliveryState.Delivered) ? 0 : 1;
            foreach (var delivery in deliveries)
            {
                var received = delivery.Channel == NoticeChannel.Email
                    ? listedIn.ContainsKey($"{target.Email}|{target.PatientName}")
                    : delivery.SmsReference is { } reference && sms.ContainsKey((target.Mobile, reference));
                notReceived += received ? 0 : 1;
                if (delivery.Channel == NoticeChannel.Sms)
                {
                    var net = netCharge.GetValueOrDefault(delivery.Id);
                    chargedTwice += net > 1 ? 1 : 0;
                    mismatch += (net == 1) != received ? 1 : 0;
                }
            }
        }

        return new Counts(cancelled.Count, lost, notReceived, chargedTwice, mismatch, duplicateEmails, duplicateSms, ledgerSum, balance);
    }

    [GeneratedRegex(@"Ref ([A-Z0-9]+)\s*$")]
    private static partial Regex ReferencePattern();
}

/// <summary>
/// Node A and node B as two <c>dotnet ClinicBlazor.dll</c> processes on one new PostgreSQL database, with
/// maildev and the Twilio stand-in; started together once for the tests that share them (node B waits
/// at the start-up lock while node A creates, migrates and seeds the database).
/// </summary>
public sealed class TwoAppProcesses : IAsyncLifetime
{
    public const int LeaseSeconds = 10;

    private readonly string directory = Path.Combine(Path.GetTempPath(), "clinicblazor-tests", Guid.NewGuid().ToString("N"));

    public string ConnectionString { get; } = TestPostgreSql.NewDatabase();

    public MaildevServer Maildev { get; } = new();

    public TwilioStandIn StandIn { get; } = new();

    public AppProcess A { get; private set; } = null!;

    public AppProcess B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(directory);
        await Maildev.InitializeAsync();
        await StandIn.InitializeAsync();
        A = new AppProcess(Settings(), Path.Combine(directory, "node-a.log"), TimeSpan.FromMinutes(20));
        B = new AppProcess(Settings(), Path.Combine(directory, "node-b.log"), TimeSpan.FromMinutes(20));
        await StartBothAsync();
    }

    /// <summary>Starts whichever node is not running (a test may have killed one), both at once.</summary>
    public async Task StartBothAsync() => await Task.WhenAll(A.StartAsync(TimeSpan.FromMinutes(3)), B.StartAsync(TimeSpan.FromMinutes(3)));

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        await StandIn.DisposeAsync();
        await Maildev.DisposeAsync();
        TestPostgreSql.DropDatabase(ConnectionString);
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS's temp cleaning.
        }
    }

    private Dictionary<string, string> Settings() => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["Database__Provider"] = "PostgreSql",
        ["ConnectionStrings__Clinic"] = ConnectionString,
        ["Demo__Seed"] = "true",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Notifications__BatchWindowSeconds"] = "0",
        ["Notifications__LeaseSeconds"] = LeaseSeconds.ToString(CultureInfo.InvariantCulture),
        ["Notifications__Email__Smtp__Host"] = "127.0.0.1",
        ["Notifications__Email__Smtp__Port"] = Maildev.SmtpPort.ToString(CultureInfo.InvariantCulture),
        ["Notifications__Email__Smtp__Security"] = "None",
        ["Notifications__Email__Smtp__FromAddress"] = "notices@nodes.example",
        ["Notifications__Sms__Twilio__AccountSid"] = TwilioStandIn.AccountSid,
        ["Notifications__Sms__Twilio__AuthToken"] = TwilioStandIn.AuthToken,
        ["Notifications__Sms__Twilio__From"] = TwilioStandIn.From,
        ["Notifications__Sms__Twilio__BaseUrl"] = StandIn.BaseUrl.ToString(),
        ["OnlineBookings__PermitLimit"] = "1000000",
        ["DataProtection__UnencryptedKeys"] = "true",
    };
}
