using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>
/// Scenario 4: C = 50 Chromium pages on the calendar's Day view, each its own Blazor circuit, against
/// the app on real Kestrel in this process. Memory per circuit = (working set with C open − baseline)
/// / C after a full GC, then the same pages switched to the Week view; and click → DOM update
/// latency (Next/Previous until the range header changes), timed in the browser.
/// </summary>
[Collection(BenchmarkCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed class CircuitsBenchmark(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const int Circuits = 50;
    private const int Contexts = 5;
    private const int LatencyRounds = 3;

    /// <summary>Clicks a button and resolves with the milliseconds until the range header shows another text.</summary>
    private const string ClickUntilHeaderChanges = """
        async label => {
            const header = () => document.querySelector('[data-testid="calendar-range"]');
            const before = header().textContent;
            const button = document.querySelector(`button[aria-label="${label}"]`);
            return await new Promise(resolve => {
                const timeout = setTimeout(() => { observer.disconnect(); resolve(-1); }, 15000);
                const observer = new MutationObserver(() => {
                    const now = header();
                    if (now && now.textContent !== before) {
                        const elapsed = performance.now() - start;
                        clearTimeout(timeout);
                        observer.disconnect();
                        resolve(elapsed);
                    }
                });
                observer.observe(document.body, { childList: true, characterData: true, subtree: true });
                const start = performance.now();
                button.click();
            });
        }
        """;

    [Fact]
    public async Task Fifty_calendar_pages_open()
    {
        var circuits = new OpenCircuits();
        await using var app = new ClinicAppFactory
        {
            ConfigureServices = services => services.TryAddEnumerable(ServiceDescriptor.Singleton<CircuitHandler>(circuits)),
        };
        var staff = new[] { DemoSignIns.Receptionist, DemoSignIns.SecondReceptionist, DemoSignIns.Admin, DemoSignIns.Receptionist, DemoSignIns.SecondReceptionist };
        DateOnly today;
        await using (var db = await app.CreateDbContextAsync())
        {
            var clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync();
            today = DateOnly.FromDateTime(clinic.ToLocal(app.UtcNow));
        }

        while (today.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            today = today.AddDays(1);
        }

        var dayUrl = $"/calendar?view=day&date={today:yyyy-MM-dd}";

        // Signed-in contexts, each warmed up once on the calendar and then parked on a blank page,
        // so the baseline holds the app, its caches and the sign-ins but no calendar circuit.
        var contexts = new List<IBrowserContext>();
        foreach (var member in staff.Take(Contexts))
        {
            var page = await browser.SignedInPageAsync(app.ServerAddress, member.Email, member.Password);
            await OpenCalendarAsync(page, dayUrl);
            await page.GotoAsync("about:blank");
            contexts.Add(page.Context);
        }

        var atBaseline = await WaitForCircuitsAsync(circuits, 0);
        var baseline = MeasureServerMemory();

        var pages = new List<IPage>();
        for (var batch = 0; batch < Circuits / Contexts; batch++)
        {
            var opened = await Task.WhenAll(contexts.Select(async context =>
            {
                var page = await context.NewPageAsync();
                await OpenCalendarAsync(page, dayUrl);
                return page;
            }));
            pages.AddRange(opened);
        }

        var withPagesOpen = await WaitForCircuitsAsync(circuits, atBaseline + Circuits);
        Assert.Equal(atBaseline + Circuits, withPagesOpen);
        var day = MeasureServerMemory();

        var latencies = new List<double>();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        for (var round = 0; round < LatencyRounds; round++)
        {
            foreach (var page in pages)
            {
                latencies.Add(await page.EvaluateAsync<double>(ClickUntilHeaderChanges, round % 2 == 0 ? "Next" : "Previous"));
            }
        }

        var cpuPerInteraction = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / latencies.Count;
        var timedOut = latencies.Count(l => l < 0);

        foreach (var page in pages)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Week", Exact = true }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("calendar-range")).ToContainTextAsync("–");
        }

        var week = MeasureServerMemory();
        Assert.Equal(withPagesOpen, circuits.Open);

        foreach (var context in contexts)
        {
            await context.CloseAsync();
        }

        const double mb = 1024 * 1024;
        var dayPerCircuit = (day.Private - baseline.Private) / mb / Circuits;
        var weekPerCircuit = (week.Private - baseline.Private) / mb / Circuits;
        var dayWhole = (day.WorkingSet - baseline.WorkingSet) / mb / Circuits;
        var weekWhole = (week.WorkingSet - baseline.WorkingSet) / mb / Circuits;
        var dayManaged = (day.Managed - baseline.Managed) / mb / Circuits;
        var weekManaged = (week.Managed - baseline.Managed) / mb / Circuits;
        var p95 = PerformanceReport.Percentile(latencies.Where(l => l >= 0).ToList(), 95);

        await PerformanceReport.PublishAsync(
            "circuits",
            "Circuits: 50 Chromium pages on the calendar",
            "./test.sh --bench",
            [
                ("memory per circuit, Day view (working set, private part)", Mb(dayPerCircuit), "≤ 2 MB", dayPerCircuit is > 0 and <= 2),
                ("memory per circuit, Week view (working set, private part)", Mb(weekPerCircuit), "—", null),
                ("whole working set per circuit, Day / Week", $"{Mb(dayWhole)} / {Mb(weekWhole)}", "—", null),
                ("managed heap per circuit, Day / Week", $"{Mb(dayManaged)} / {Mb(weekManaged)}", "—", null),
                ("click → DOM update p50", Ms(PerformanceReport.Percentile(latencies.Where(l => l >= 0).ToList(), 50)), "—", null),
                ("click → DOM update p95", Ms(p95), "≤ 200 ms", p95 <= 200 && timedOut == 0),
                ("server CPU per interaction", Ms(cpuPerInteraction), "—", null),
            ],
            $"""
            {Circuits} pages in {Contexts} signed-in browser contexts (headless Chromium), all on the Day view of the demo clinic ({today:ddd}, 5 practitioners),
            against the app on Kestrel inside the test process; {atBaseline} circuits open at the baseline and {withPagesOpen} with the pages open (counted by a CircuitHandler). Memory is the
            process working set (and managed heap) after forced, compacting full GCs in the aggressive mode (unused memory given back to the OS), minus a
            baseline taken with the same contexts signed in and warmed up but no calendar open. The target row counts the working set's private part
            (RssAnon: heaps, stacks, what a circuit allocates); the whole working set also counts shared code and files mapped from disk, which the
            kernel drops and reads back on its own: in the run of 2026-11-24 08:11 UTC it came out at −0.00 MB per Day circuit (pages dropped between
            the baseline and the measurement), which is why the private part is the figure held against the target. Latency: {latencies.Count} clicks on Next/Previous, one page after another with all {Circuits} open, timed in the page with
            `performance.now()` from the click to the range header's new text (a round trip, the day's query and the render diff); {timedOut} timed out.
            CPU per interaction is the test process's CPU time over those clicks (it includes the Playwright client, so it is an upper bound).
            How many circuits a node carries is measured, not extrapolated from these pages: see the Capacity block (headless circuits up to 10,000).
            Other work on the machine shows in the p95: compare runs on an idle machine.
            """);

        Assert.Equal(0, timedOut);
    }

    private static async Task OpenCalendarAsync(IPage page, string url)
    {
        await page.GotoAsync(url);
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("calendar-grid")).ToBeVisibleAsync();
    }

    /// <summary>Waits (up to 30 s) for the server to hold the expected number of circuits, then lets it settle.</summary>
    private static async Task<int> WaitForCircuitsAsync(OpenCircuits circuits, int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (circuits.Open != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        await Task.Delay(2000);
        return circuits.Open;
    }

    /// <summary>
    /// After full, compacting GCs that also give unused memory back to the OS: the process's working set,
    /// its private part (RssAnon: heaps and stacks, the memory circuits take; the rest is shared code
    /// and data files, which the kernel drops and brings back on its own), and the managed heap.
    /// </summary>
    private static (long WorkingSet, long Private, long Managed) MeasureServerMemory()
    {
        for (var i = 0; i < 3; i++)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        using var process = Process.GetCurrentProcess();
        return (process.WorkingSet64, PrivateResident() ?? process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: true));
    }

    /// <summary>RssAnon from /proc/self/status, in bytes (Linux); null elsewhere.</summary>
    private static long? PrivateResident()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            return null;
        }

        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("RssAnon:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line["RssAnon:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    private static string Mb(double value) => $"{value.ToString("0.00", CultureInfo.InvariantCulture)} MB";

    private static string Ms(double value) => $"{value.ToString("0", CultureInfo.InvariantCulture)} ms";

    /// <summary>Counts the circuits the server holds open (connected, not yet closed).</summary>
    private sealed class OpenCircuits : CircuitHandler
    {
        private int open;

        public int Open => Volatile.Read(ref open);

        public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref open);
            return Task.CompletedTask;
        }

        public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            Interlocked.Decrement(ref open);
            return Task.CompletedTask;
        }
    }
}
