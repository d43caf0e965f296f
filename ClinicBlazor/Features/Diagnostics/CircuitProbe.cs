using System.Globalization;
using System.Net;
using System.Runtime;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace ClinicBlazor.Features.Diagnostics;

/// <summary>Counts the Blazor circuits this node holds: opened and not yet closed, and of those, connected.</summary>
public sealed class CircuitCounter : CircuitHandler
{
    private int open;
    private int connected;

    public int Open => Volatile.Read(ref open);

    public int Connected => Volatile.Read(ref connected);

    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref open);
        return Task.CompletedTask;
    }

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref connected);
        return Task.CompletedTask;
    }

    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Decrement(ref connected);
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Decrement(ref open);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The capacity benchmark's view into the server: with <c>Benchmark:CircuitProbe</c> = true (off unless set; never
/// set in appsettings), GET <c>/_bench/circuits</c> from the loopback interface answers the circuits counted,
/// the process's memory and CPU time; <c>?collect=true</c> first runs full, compacting garbage collections.
/// </summary>
public static class CircuitProbeExtensions
{
    public const string Path = "/_bench/circuits";
    private const string SettingKey = "Benchmark:CircuitProbe";

    public static WebApplicationBuilder AddCircuitProbe(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue<bool>(SettingKey))
        {
            builder.Services.AddSingleton<CircuitCounter>();
            builder.Services.AddSingleton<CircuitHandler>(services => services.GetRequiredService<CircuitCounter>());
        }

        return builder;
    }

    public static WebApplication MapCircuitProbe(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>(SettingKey))
        {
            return app;
        }

        app.MapGet(Path, (HttpContext context, CircuitCounter counter, bool? collect) =>
        {
            if (context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote))
            {
                return Results.NotFound();
            }

            if (collect == true)
            {
                for (var round = 0; round < 2; round++)
                {
                    GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
                    GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                    GC.WaitForPendingFinalizers();
                }
            }

            var info = GC.GetGCMemoryInfo();
            return Results.Json(new
            {
                open = counter.Open,
                connected = counter.Connected,
                processId = Environment.ProcessId,
                rssAnonBytes = RssAnon(),
                workingSetBytes = Environment.WorkingSet,
                managedHeapBytes = GC.GetTotalMemory(forceFullCollection: false),
                cpuMilliseconds = (long)Environment.CpuUsage.TotalTime.TotalMilliseconds,
                gcCommittedBytes = info.TotalCommittedBytes,
                serverGc = GCSettings.IsServerGC,
            });
        }).AllowAnonymous();
        return app;
    }

    /// <summary>The process's private resident memory (RssAnon in /proc/self/status, Linux), or -1 elsewhere.</summary>
    private static long RssAnon()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return -1;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("RssAnon:", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line["RssAnon:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
