using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using ClinicBlazor.Features.Diagnostics;
using ClinicBlazor.Tests.Infrastructure;

namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>
/// Scenario 7: how many open calendars one node carries. The app runs as its own process (Release, Production,
/// demo clinic) and <see cref="HeadlessCircuit"/>s open the Day view of <c>/calendar</c> in steps up to 10,000, at a
/// steady arrival rate, signed in as the five demo staff. At each step: the circuits the server counts (its
/// <see cref="CircuitCounter"/>, read through the benchmark-only probe), the server's RssAnon after full GCs and MB per
/// circuit over the baseline, circuit start latency (page load to an interactive calendar) p50/p95 for the circuits the
/// step opened, and a click on Next (or Previous) on a sample of circuits, timed to the render batch with the new day's
/// appointments. It stops early at 20 GB of server memory, 5 % failed starts in a step or a start p95 over 5 s.
/// CLINIC_CAPACITY_MAX caps the largest step (the steps below it stay); CLINIC_CAPACITY_RATE sets circuits opened per second (8);
/// CLINIC_CAPACITY_START_LIMIT_MS moves the start-p95 stop (5,000), so memory can be measured on a machine too busy for latencies;
/// CLINIC_CAPACITY_GCDUMP names a folder for heap dumps of the server (dotnet-gcdump) at the baseline and at the last step.
/// </summary>
[Collection(BenchmarkCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed class CapacityBenchmark : IAsyncLifetime
{
    private const double MemoryLimitGb = 20;
    private const double FailedStartLimit = 0.05;
    private const double DefaultStartP95LimitMs = 5000;

    /// <summary>Circuits opened per second: what this 2-core machine sustains with the load generator beside the server (a start costs the server 50–100 ms of CPU).</summary>
    private const double DefaultRate = 8;
    private const int SampleSize = 50;
    private const int MaxInFlight = 200;
    private static readonly int[] AllSteps = [100, 250, 500, 1000, 2500, 5000, 7500, 10000];

    private readonly string directory = Path.Combine(Path.GetTempPath(), "clinicblazor-capacity", Guid.NewGuid().ToString("N"));
    private readonly List<(HeadlessCircuit Circuit, bool OnNextDay)> circuits = [];
    private AppProcess? app;

    public static string AppLogPath => Path.Combine(Path.GetTempPath(), "clinicblazor-capacity-app.log");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(directory);
        File.Delete(AppLogPath);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await CloseAllAsync();
        if (app is not null)
        {
            await app.DisposeAsync();
        }

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
    public async Task Ten_thousand_open_calendars_on_one_node()
    {
        var max = int.TryParse(Environment.GetEnvironmentVariable("CLINIC_CAPACITY_MAX"), CultureInfo.InvariantCulture, out var cap) ? cap : AllSteps[^1];
        var rate = double.TryParse(Environment.GetEnvironmentVariable("CLINIC_CAPACITY_RATE"), CultureInfo.InvariantCulture, out var chosen) ? chosen : DefaultRate;
        var startLimitMs = double.TryParse(Environment.GetEnvironmentVariable("CLINIC_CAPACITY_START_LIMIT_MS"), CultureInfo.InvariantCulture, out var limit) ? limit : DefaultStartP95LimitMs;
        var steps = AllSteps.Where(s => s < max).Append(max).Distinct().ToArray();

        app = new AppProcess(AppEnvironment(), AppLogPath, TimeSpan.FromMinutes(60));
        await app.StartAsync(TimeSpan.FromMinutes(3));
        using var probe = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

        var staff = new List<SignInClient>();
        foreach (var member in new[] { DemoSignIns.Receptionist, DemoSignIns.SecondReceptionist, DemoSignIns.Admin, DemoSignIns.Practitioner, DemoSignIns.SecondPractitioner })
        {
            var client = new SignInClient(app.BaseAddress);
            using var signedIn = await client.SignInAsync(member.Email, member.Password);
            staff.Add(client);
        }

        // A working day inside the demo clinic's seeded range (ten working days either side of today in its zone),
        // whose next working day is too; the app process runs on the machine's clock, as this does.
        var day = HeadlessCircuitTests.NextWorkingDay(HeadlessCircuitTests.NextWorkingDay(DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime)));
        var page = new Uri(app.BaseAddress, $"/calendar?view=day&date={day:yyyy-MM-dd}");

        // Warm-up (JIT, caches, connection pools), then the baseline with no circuit open.
        var warmUp = await OpenAsync(staff, page, 10, rate);
        if (warmUp.Failures.Count > 0)
        {
            throw new InvalidOperationException($"Warm-up circuits failed: {warmUp.Failures[0]}");
        }

        await CloseAllAsync();
        await WaitForServerCountAsync(probe, 0);
        var baseline = await ReadProbeAsync(probe, collect: true);
        await HeapDumpAsync(baseline.ProcessId, "baseline");

        var rows = new List<StepResult>();
        string? stoppedBecause = null;
        var failedTotal = 0;
        var clock = Stopwatch.StartNew();
        foreach (var target in steps)
        {
            var before = await ReadProbeAsync(probe, collect: false);
            var opening = Stopwatch.StartNew();
            var opened = await OpenAsync(staff, page, target - circuits.Count, rate);
            var openSeconds = opening.Elapsed.TotalSeconds;
            failedTotal += opened.Failures.Count;
            var counted = await WaitForServerCountAsync(probe, circuits.Count);
            var cpuPerStart = (double)(counted.CpuMilliseconds - before.CpuMilliseconds) / Math.Max(1, opened.Started.Count + opened.Failures.Count);
            var memory = await ReadProbeAsync(probe, collect: true);
            var interactions = await ClickSampleAsync(day);

            var row = new StepResult(
                target,
                circuits.Count,
                counted.Open,
                counted.Connected,
                opened.Failures.Count,
                opened.Started.Count + opened.Failures.Count,
                memory.RssAnonBytes / Mb,
                (memory.RssAnonBytes - baseline.RssAnonBytes) / Mb / Math.Max(1, circuits.Count),
                (memory.ManagedHeapBytes - baseline.ManagedHeapBytes) / Mb / Math.Max(1, circuits.Count),
                Percentile(opened.Started, 50),
                Percentile(opened.Started, 95),
                Percentile(interactions.Times, 50),
                Percentile(interactions.Times, 95),
                interactions.Times.Count,
                interactions.Failures,
                openSeconds,
                cpuPerStart);
            rows.Add(row);
            Console.WriteLine($"capacity step {row}; failures: {string.Join(" / ", opened.Failures.Take(3))}");

            if (memory.RssAnonBytes / Mb / 1024 >= MemoryLimitGb)
            {
                stoppedBecause = $"server memory reached {memory.RssAnonBytes / Mb / 1024:0.0} GB at {target:N0} (limit {MemoryLimitGb} GB)";
            }
            else if (row.Attempted > 0 && (double)row.Failed / row.Attempted > FailedStartLimit)
            {
                stoppedBecause = $"{row.Failed} of {row.Attempted} starts failed at the step to {target:N0} (limit 5 %); first: {opened.Failures[0]}";
            }
            else if (row.StartP95 > startLimitMs)
            {
                stoppedBecause = $"circuit start p95 was {row.StartP95:0} ms at the step to {target:N0} (limit {startLimitMs / 1000:0.#} s)";
            }

            if (stoppedBecause is not null)
            {
                break;
            }
        }

        var elapsed = clock.Elapsed;
        var last = rows[^1];
        await HeapDumpAsync(baseline.ProcessId, $"at-{last.ClientOpen}");
        await CloseAllAsync();
        foreach (var client in staff)
        {
            client.Dispose();
        }

        // ./test.sh --bench runs it with the others; alone: dotnet test … --filter FullyQualifiedName~CapacityBenchmark.
        var settings = (max == AllSteps[^1] ? "" : $"CLINIC_CAPACITY_MAX={max} ") + (rate == DefaultRate ? "" : $"CLINIC_CAPACITY_RATE={rate} ") + (startLimitMs == DefaultStartP95LimitMs ? "" : $"CLINIC_CAPACITY_START_LIMIT_MS={startLimitMs} ");
        var command = $"{settings}dotnet test ClinicBlazor.sln -c Release --filter FullyQualifiedName~CapacityBenchmark";
        await PerformanceReport.PublishAsync(
            "capacity",
            "Capacity: headless circuits on the calendar",
            command,
            [
                ("concurrent calendar circuits held (server's count), failed starts", $"{last.ServerOpen:N0}, {failedTotal} failed", "≥ 10,000, 0 failed", last.ServerOpen >= 10000 && failedTotal == 0),
                ($"server memory per Day-view circuit at {last.Target:N0} (RssAnon over the baseline)", $"{last.MbPerCircuit:0.00} MB", "≤ 1 MB", last.MbPerCircuit <= 1),
                ($"circuit start p95 at the step to {last.Target:N0}", Ms(last.StartP95), "≤ 500 ms", last.StartP95 <= 500),
                ($"interaction p95 with {last.ClientOpen:N0} open (click on Next → the new day's batch)", Ms(last.ClickP95), "≤ 200 ms", last.ClickP95 <= 200 && last.ClickFailures == 0),
            ],
            Note(rows, baseline, stoppedBecause, rate, elapsed));

        Assert.True(rows.Count > 0);
        Assert.All(rows, row => Assert.Equal(row.ClientOpen, row.ServerOpen));
    }

    private const double Mb = 1024 * 1024;

    private static string Note(List<StepResult> rows, ProbeReading baseline, string? stoppedBecause, double rate, TimeSpan elapsed)
    {
        var table = new StringBuilder();
        table.AppendLine("| step | open (client / server / connected) | failed starts | server RssAnon | MB per circuit (RssAnon / managed heap) | start p50 / p95 | server CPU per start | click p50 / p95 (sample) | opened in |");
        table.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Target:N0} | {row.ClientOpen:N0} / {row.ServerOpen:N0} / {row.ServerConnected:N0} | {row.Failed} of {row.Attempted} | {row.RssAnonMb:N0} MB | {row.MbPerCircuit:0.00} / {row.ManagedMbPerCircuit:0.00} | {Ms(row.StartP50)} / {Ms(row.StartP95)} | {Ms(row.CpuPerStart)} | {Ms(row.ClickP50)} / {Ms(row.ClickP95)} ({row.Clicks}{(row.ClickFailures > 0 ? $", {row.ClickFailures} failed" : "")}) | {row.OpenSeconds:0} s |");
        }

        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
        return $"""
            {table}
            {(stoppedBecause is null ? $"All steps ran ({elapsed.TotalMinutes:0} min)." : $"Stopped early: {stoppedBecause}.")}
            The app runs as its own process (`dotnet ClinicBlazor.dll`, Release, Production, demo clinic on SQLite) and the benchmark
            opens circuits with `HeadlessCircuit` (ClinicBlazor.Tests/Benchmarks): per circuit a GET of `/calendar?view=day&date=…`
            (prerendered), a SignalR connection to `/_blazor` (WebSockets, `blazorpack`), `StartCircuit`, `UpdateRootComponents`, every
            render batch acknowledged and every JS interop call answered, until the calendar grid and its Next button have been
            rendered interactively; that span is the start latency (the server's CPU per start is its process CPU time over the step,
            page loads included, divided by the starts). Circuits are opened at {rate:0} per second (at most {MaxInFlight} in flight),
            signed in as the five demo staff. The server's count comes from its own `CircuitHandler`, read through `{CircuitProbeExtensions.Path}`,
            which exists only when `Benchmark:CircuitProbe` is set. Memory is the server's RssAnon (private resident memory) after full,
            compacting GCs, minus the baseline taken after a warm-up with no circuit open ({baseline.RssAnonBytes / Mb:N0} MB RssAnon,
            {baseline.ManagedHeapBytes / Mb:N0} MB managed heap, server GC {(baseline.ServerGc ? "on" : "off")}); the managed-heap figure is the live
            .NET heap per circuit. Interaction: at each step {SampleSize} circuits spread over those open each click Next (or Previous, back),
            one after another, dispatched like a browser event (`DispatchEventAsync`), timed until the render batch that carries the new
            day's appointments. The load generator runs on the same machine (load average {load} at the end; with a load average far
            above the 2 cores, circuits queue for CPU and the latencies measure that queue, not the server).
            """;
    }

    private async Task<(List<double> Started, List<string> Failures)> OpenAsync(List<SignInClient> staff, Uri page, int count, double perSecond)
    {
        var started = new ConcurrentBag<double>();
        var failures = new ConcurrentQueue<string>();
        var opened = new ConcurrentQueue<HeadlessCircuit>();
        using var inFlight = new SemaphoreSlim(MaxInFlight);
        var pacing = Stopwatch.StartNew();
        var tasks = new List<Task>(count);
        for (var index = 0; index < count; index++)
        {
            var due = TimeSpan.FromSeconds(index / perSecond);
            if (due > pacing.Elapsed)
            {
                await Task.Delay(due - pacing.Elapsed);
            }

            await inFlight.WaitAsync();
            var client = staff[(circuits.Count + index) % staff.Count];
            tasks.Add(Task.Run(async () =>
            {
                var clock = Stopwatch.StartNew();
                try
                {
                    var circuit = await HeadlessCircuit.OpenAsync(client.Http, client.Handler.CookieContainer, page, HeadlessCircuitTests.CalendarIsInteractive);
                    started.Add(clock.Elapsed.TotalMilliseconds);
                    opened.Enqueue(circuit);
                }
                catch (Exception exception)
                {
                    failures.Enqueue($"{exception.GetType().Name}: {exception.Message}");
                }
                finally
                {
                    inFlight.Release();
                }
            }));
        }

        await Task.WhenAll(tasks);
        circuits.AddRange(opened.Select(c => (c, false)));
        return ([.. started], [.. failures]);
    }

    /// <summary>Clicks Next (or Previous, for a circuit already on the next day) on circuits spread over those open, one at a time.</summary>
    private async Task<(List<double> Times, int Failures)> ClickSampleAsync(DateOnly day)
    {
        var times = new List<double>();
        var failed = 0;
        var every = Math.Max(1, circuits.Count / SampleSize);
        for (var index = 0; index < circuits.Count && times.Count + failed < SampleSize; index += every)
        {
            var (circuit, onNextDay) = circuits[index];
            var next = HeadlessCircuitTests.NextWorkingDay(day);
            var title = HeadlessCircuitTests.Title(onNextDay ? day : next);
            var titleSeen = false;
            try
            {
                var elapsed = await circuit.ClickAsync(onNextDay ? "Previous" : "Next", strings =>
                {
                    titleSeen |= strings.Contains(title);
                    return titleSeen && strings.Contains("data-appointment-id");
                });
                times.Add(elapsed.TotalMilliseconds);
                circuits[index] = (circuit, !onNextDay);
            }
            catch (Exception exception) when (exception is TimeoutException or InvalidOperationException)
            {
                failed++;
                Console.WriteLine($"capacity click failed: {exception.Message}");
            }
        }

        return (times, failed);
    }

    private async Task CloseAllAsync()
    {
        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(circuits.Select(async c =>
        {
            await gate.WaitAsync();
            try
            {
                await c.Circuit.DisposeAsync();
            }
            finally
            {
                gate.Release();
            }
        }));
        circuits.Clear();
    }

    /// <summary>Waits (up to two minutes) for the server to count the circuits the client holds; returns what it counts.</summary>
    private static async Task<ProbeReading> WaitForServerCountAsync(HttpClient probe, int expected)
    {
        var deadline = Deadline.In(TimeSpan.FromMinutes(2));
        ProbeReading reading;
        while ((reading = await ReadProbeAsync(probe, collect: false)).Open != expected && !deadline.Passed)
        {
            await Task.Delay(500);
        }

        return reading;
    }

    /// <summary>With CLINIC_CAPACITY_GCDUMP set: the server's heap graph by type (dotnet-gcdump, which must be on PATH or in ~/.dotnet/tools).</summary>
    private static async Task HeapDumpAsync(int processId, string name)
    {
        var folder = Environment.GetEnvironmentVariable("CLINIC_CAPACITY_GCDUMP");
        if (string.IsNullOrEmpty(folder))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-gcdump");
        var start = new ProcessStartInfo(File.Exists(tool) ? tool : "dotnet-gcdump")
        {
            ArgumentList = { "collect", "-p", processId.ToString(CultureInfo.InvariantCulture), "-o", Path.Combine(folder, $"{name}.gcdump") },
            UseShellExecute = false,
        };
        using var dump = Process.Start(start) ?? throw new InvalidOperationException("dotnet-gcdump did not start.");
        await dump.WaitForExitAsync();
    }

    private static async Task<ProbeReading> ReadProbeAsync(HttpClient probe, bool collect) =>
        (await probe.GetFromJsonAsync<ProbeReading>($"{CircuitProbeExtensions.Path}?collect={(collect ? "true" : "false")}"))!;

    private Dictionary<string, string> AppEnvironment() => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["ConnectionStrings__Clinic"] = $"Data Source={Path.Combine(directory, "clinic.db")}",
        ["Demo__Seed"] = "true",
        ["Benchmark__CircuitProbe"] = "true",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        ["Notifications__Email__PickupDirectory"] = Path.Combine(directory, "outbox"),
        ["Notifications__Sms__DevSinkDirectory"] = Path.Combine(directory, "sms"),
    };

    private static double Percentile(List<double> values, double percentile) => PerformanceReport.Percentile(values, percentile);

    private static string Ms(double value) => double.IsNaN(value) ? "—" : $"{value.ToString("0", CultureInfo.InvariantCulture)} ms";

    private sealed record ProbeReading(int Open, int Connected, int ProcessId, long RssAnonBytes, long WorkingSetBytes, long ManagedHeapBytes, long GcCommittedBytes, bool ServerGc, long CpuMilliseconds);

    private sealed record StepResult(
        int Target, int ClientOpen, int ServerOpen, int ServerConnected, int Failed, int Attempted, double RssAnonMb, double MbPerCircuit, double ManagedMbPerCircuit,
        double StartP50, double StartP95, double ClickP50, double ClickP95, int Clicks, int ClickFailures, double OpenSeconds, double CpuPerStart);
}
