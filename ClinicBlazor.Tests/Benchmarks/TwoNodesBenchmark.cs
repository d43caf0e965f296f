using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Tests.Features.Notifications.Sms;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>
/// Two app nodes (in this process, each its own Kestrel, Quartz and listener) on the tests' PostgreSQL:
/// the SMS delivery rate of two nodes beside one, and how soon a calendar on node B shows a
/// cancellation committed on node A. CLINIC_BENCH_QUICK=1 shortens them for a smoke run.
/// </summary>
[Collection(BenchmarkCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed partial class TwoNodesBenchmark(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly bool Quick = Environment.GetEnvironmentVariable("CLINIC_BENCH_QUICK") == "1";

    private static readonly TimeSpan AnswerDelay = TimeSpan.FromMilliseconds(200);

    private static string Command => Quick ? "CLINIC_BENCH_QUICK=1 ./test.sh --bench --only TwoNodes" : "./test.sh --bench --only TwoNodes";

    [Fact]
    public async Task Sms_delivery_rate_of_two_nodes_beside_one()
    {
        var practitioners = Quick ? 20 : 200;
        const int each = 10;
        var one = await MeasureSmsRateAsync(1, practitioners, each);
        var two = await MeasureSmsRateAsync(2, practitioners, each);
        var ratio = two.PerSecond / one.PerSecond;
        var total = practitioners * each;

        await PerformanceReport.PublishAsync(
            "two-nodes-sms",
            $"Two nodes: {total:N0} SMS for {practitioners} practitioners, one node vs two on one PostgreSQL",
            Command,
            [
                ("one node", $"{one.Seconds:0.0} s ({one.PerSecond:0.0} SMS/s)", "—", null),
                ("two nodes", $"{two.Seconds:0.0} s ({two.PerSecond:0.0} SMS/s)", "—", null),
                ("two nodes' rate / one node's", ratio.ToString("0.00", CultureInfo.InvariantCulture), "≥ 1.8", ratio >= 1.8),
                ("SMS sent more than once (one node / two nodes)", $"{one.Duplicates} / {two.Duplicates}", "0 / 0", one.Duplicates + two.Duplicates == 0),
                ("SMS not sent (one node / two nodes)", $"{one.Missing} / {two.Missing}", "0 / 0", one.Missing + two.Missing == 0),
            ],
            $"""
            {total:N0} pending SMS notices ({each} for each of {practitioners} practitioners, rows written directly, as a cancellation
            writes them), made due at one instant; the Twilio stand-in answers every message after {AnswerDelay.TotalMilliseconds:0} ms
            with no rate cap; `Notifications:MaxParallelSends` 4 on each node. Node A is woken by its own signal
            (`NoticeSignal.DeliveriesDueAsync`, as a cancellation's commit does); node B by the `NOTIFY` that signal sends, not by its
            30-second sweep. Timed from that signal until every delivery is Sent in the database. Each node's run lists the due
            deliveries and claims them one at a time, 4 at once, each claim a narrow transaction: the writer lock held shared and the
            delivery locked with `FOR UPDATE SKIP LOCKED`, so a delivery the other node holds is passed over at once, and one it has
            claimed is found Sending and left. Each measurement on a database of its own; the nodes share this test process
            (and the machine's 2 cores) with PostgreSQL and the stand-in. "Sent more than once": messages at the stand-in with
            the same number and reference.
            {LoadNote}
            """);

        Assert.Equal((0, 0), (one.Duplicates + two.Duplicates, one.Missing + two.Missing));
    }

    [Fact]
    public async Task Live_update_from_a_commit_on_node_A_to_the_DOM_on_node_B()
    {
        var samples = Quick ? 10 : 40;
        await using var nodes = new TwoNodes(DatabaseProvider.PostgreSql);
        nodes.Start();
        await BenchNotices.WaitForListenersAsync(nodes.A.ConnectionString, 2);
        var (appointments, day) = await BusiestDayAsync(nodes.A, samples);

        var page = await browser.SignedInPageAsync(nodes.B.ServerAddress, DemoSignIns.SecondReceptionist.Email, DemoSignIns.SecondReceptionist.Password);
        await page.GotoAsync($"/calendar?view=day&date={day:yyyy-MM-dd}");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator($"[data-appointment-id='{appointments[0]}']")).ToHaveAttributeAsync("data-cancelled", "false");

        // The page notes when it first sees each appointment cancelled, on the machine's clock (Date.now()).
        await page.EvaluateAsync("""
            () => {
              window.__cancelledSeen = {};
              const look = () => {
                for (const block of document.querySelectorAll('[data-appointment-id][data-cancelled="true"]')) {
                  const id = block.getAttribute('data-appointment-id');
                  if (!(id in window.__cancelledSeen)) window.__cancelledSeen[id] = Date.now();
                }
              };
              look();
              new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-cancelled'] });
            }
            """);

        var committed = new Dictionary<int, long>();
        await using (var samOnA = await nodes.A.ScopeForAsync(DemoSignIns.Receptionist.Email))
        {
            var service = samOnA.ServiceProvider.GetRequiredService<AppointmentService>();
            foreach (var id in appointments)
            {
                var cancelled = await service.CancelAsync(new CancelAppointment(id, CancellationReason.Sick));
                Assert.True(cancelled.Succeeded, cancelled.Error);

                // CancelAsync returns right after its commit (and the in-process publish): the commit's instant, to the millisecond.
                committed[id] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                await Task.Delay(250);
            }
        }

        var deadline = Deadline.In(TimeSpan.FromSeconds(30));
        Dictionary<string, long> seen;
        do
        {
            seen = await page.EvaluateAsync<Dictionary<string, long>>("() => window.__cancelledSeen");
            if (seen.Count >= appointments.Count)
            {
                break;
            }

            await Task.Delay(200);
        }
        while (!deadline.Passed);

        await page.Context.CloseAsync();
        var latencies = committed.Where(c => seen.ContainsKey(c.Key.ToString(CultureInfo.InvariantCulture)))
            .Select(c => (double)(seen[c.Key.ToString(CultureInfo.InvariantCulture)] - c.Value)).ToList();
        var missing = appointments.Count - latencies.Count;
        var p95 = PerformanceReport.Percentile(latencies, 95);
        await PerformanceReport.PublishAsync(
            "two-nodes-live",
            "Two nodes: a cancellation committed on node A, shown on a calendar open on node B",
            Command,
            [
                ("p50", $"{PerformanceReport.Percentile(latencies, 50):0} ms", "—", null),
                ("p95", $"{p95:0} ms", "≤ 500 ms", missing == 0 && p95 <= 500),
                ("max", $"{(latencies.Count == 0 ? double.NaN : latencies.Max()):0} ms", "—", null),
                ("not shown within 30 s", missing.ToString(CultureInfo.InvariantCulture), "0", missing == 0),
            ],
            $"""
            {appointments.Count} booked appointments of one day, cancelled one every 250 ms through `AppointmentService.CancelAsync` on
            node A, while Alex's Chromium page shows that day on node B. From the moment `CancelAsync` returns (right after its
            commit) to the moment a `MutationObserver` in the page first sees the appointment's block marked cancelled, both on the
            machine's clock. The way between: node A's calendar notifier → its signal queue → `pg_notify` → node B's listening
            connection → node B's calendar notifier → the circuit's render → the browser's DOM.
            {LoadNote}
            """);

        Assert.Equal(0, missing);
    }

    private sealed record SmsRate(double Seconds, double PerSecond, int Duplicates, int Missing);

    private static async Task<SmsRate> MeasureSmsRateAsync(int nodeCount, int practitioners, int each)
    {
        await using var standIn = new TwilioStandIn { AnswerDelay = AnswerDelay };
        await standIn.InitializeAsync();
        await using var a = Node(standIn);
        _ = a.ServerAddress;
        await using var b = nodeCount == 2 ? Node(standIn).With("ConnectionStrings:Clinic", a.ConnectionString) : null;
        if (b is not null)
        {
            _ = b.ServerAddress;
        }

        // Due in an hour: neither node's sweep takes them before the timed start.
        var now = DateTime.UtcNow;
        List<int> deliveries;
        await using (var db = await a.CreateDbContextAsync())
        {
            var added = await BenchNotices.AddSmsPractitionersAsync(db, practitioners, $"rate{nodeCount}n");
            deliveries = await BenchNotices.AddPendingSmsAsync(db, added, each, now, now.AddHours(1));
            await BenchNotices.TopUpAsync(db, deliveries.Count, now);
        }

        // Every node listening, and nothing else of their start-up still running.
        await BenchNotices.WaitForListenersAsync(a.ConnectionString, nodeCount);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var watch = Stopwatch.StartNew();
        var dueAt = DateTime.UtcNow;
        await using (var db = await a.CreateDbContextAsync())
        {
            await db.Set<NoticeDelivery>().Where(d => deliveries.Contains(d.Id)).ExecuteUpdateAsync(set => set.SetProperty(d => d.DueAtUtc, dueAt));
        }

        await a.Services.GetRequiredService<NoticeSignal>().DeliveriesDueAsync(dueAt);
        var deadline = Deadline.In(TimeSpan.FromMinutes(10));
        int sent;
        do
        {
            await Task.Delay(100);
            await using var db = await a.CreateDbContextAsync();
            sent = await db.Set<NoticeDelivery>().CountAsync(d => deliveries.Contains(d.Id) && d.State == DeliveryState.Sent);
        }
        while (sent < deliveries.Count && !deadline.Passed);

        watch.Stop();
        var duplicates = standIn.Messages.GroupBy(m => (m.To, Reference: ReferencePattern().Match(m.Body).Value)).Sum(g => g.Count() - 1);
        return new SmsRate(watch.Elapsed.TotalSeconds, sent / watch.Elapsed.TotalSeconds, duplicates, deliveries.Count - sent);
    }

    private static ClinicAppFactory Node(TwilioStandIn standIn)
    {
        var node = ClinicAppFactory.On(DatabaseProvider.PostgreSql)
            .With("Notifications:BatchWindowSeconds", "0")
            .With("Notifications:MaxParallelSends", "4");
        foreach (var (key, value) in SmsTestHost.TwilioSettings(standIn))
        {
            node.With(key, value);
        }

        return node;
    }

    /// <summary>The booked appointments (up to <paramref name="count"/>) of the busiest day from two days ahead, and that day in the clinic's zone.</summary>
    private static async Task<(List<int> Ids, DateOnly Day)> BusiestDayAsync(ClinicAppFactory node, int count)
    {
        await using var db = await node.CreateDbContextAsync();
        var clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync();
        var after = DateTime.UtcNow.AddDays(2);
        var booked = await db.Set<Appointment>().AsNoTracking()
            .Where(a => a.Status == AppointmentStatus.Booked && a.StartUtc > after)
            .Select(a => new { a.Id, a.StartUtc })
            .ToListAsync();
        var busiest = booked.GroupBy(a => DateOnly.FromDateTime(clinic.ToLocal(a.StartUtc))).OrderByDescending(g => g.Count()).First();
        return ([.. busiest.OrderBy(a => a.StartUtc).Take(count).Select(a => a.Id)], busiest.Key);
    }

    private static string LoadNote => $"Load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} when this table was written.";

    [GeneratedRegex(@"Ref [A-Z0-9]+\s*$")]
    private static partial Regex ReferencePattern();
}
