using System.Diagnostics;

namespace ClinicBlazor.Tests.Infrastructure;

/// <summary>
/// ClinicBlazor as its own process (<c>dotnet ClinicBlazor.dll</c> from the app's build output),
/// configured through environment variables, on a fixed loopback port so it can be killed with
/// SIGKILL and started again on the same database. Whatever happens to the test, the process does
/// not outlive it: Dispose kills it, and the whole tree runs under <c>timeout</c> as a backstop.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> environment;
    private readonly string logPath;
    private readonly TimeSpan lifetimeLimit;
    private Process? process;
    private StreamWriter? log;

    public AppProcess(IReadOnlyDictionary<string, string> environment, string logPath, TimeSpan lifetimeLimit)
    {
        this.environment = environment;
        this.logPath = logPath;
        this.lifetimeLimit = lifetimeLimit;
        BaseAddress = new Uri($"http://127.0.0.1:{Port}/");
    }

    public int Port { get; } = FreePort.Next();

    public Uri BaseAddress { get; }

    public int Starts { get; private set; }

    public int Kills { get; private set; }

    public bool IsRunning => process is { HasExited: false };

    /// <summary>The app's build output beside the test's own configuration (Debug or Release).</summary>
    public static string AppDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var dll = Path.Combine(RepositoryPaths.Root, "ClinicBlazor", "bin", configuration, "net10.0", "ClinicBlazor.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build the solution ({configuration}) first.");
        }
    }

    /// <summary>Starts the app and waits until /healthz answers.</summary>
    public async Task StartAsync(TimeSpan timeout)
    {
        if (IsRunning)
        {
            return;
        }

        var dll = AppDll;
        var start = new ProcessStartInfo("timeout")
        {
            ArgumentList = { "--signal=KILL", ((int)lifetimeLimit.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet", dll, "--urls", BaseAddress.ToString().TrimEnd('/') },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Outside Development the app refuses to start without its public address: this process's own.
        start.Environment["App__PublicBaseUrl"] = BaseAddress.ToString().TrimEnd('/');
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        log ??= new StreamWriter(logPath, append: true) { AutoFlush = true };
        var writer = log;
        Write(writer, $"==> start {Starts + 1} at {DateTime.UtcNow:HH:mm:ss.fff}");
        process = Process.Start(start) ?? throw new InvalidOperationException("The app did not start.");
        Starts++;
        process.OutputDataReceived += (_, line) => Write(writer, line.Data);
        process.ErrorDataReceived += (_, line) => Write(writer, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Deadline.In(timeout);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with code {process.ExitCode} while starting; see {logPath}.");
            }

            try
            {
                using var response = await http.GetAsync("healthz");
                return;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !deadline.Passed)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>
    /// Starts the app and waits for it to end by itself (a start-up that is expected to fail):
    /// its exit code and everything it wrote to the console.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunUntilExitAsync(IReadOnlyDictionary<string, string?> environment, TimeSpan limit)
    {
        var dll = AppDll;
        var start = new ProcessStartInfo("timeout")
        {
            ArgumentList = { "--signal=KILL", ((int)limit.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet", dll, "--urls", $"http://127.0.0.1:{FreePort.Next()}" },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("The app did not start.");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.ErrorDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync();
        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    /// <summary>SIGKILL: no shutdown, no flush, exactly like a power cut for the process.</summary>
    public async Task KillAsync()
    {
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            Kills++;
        }

        await process.WaitForExitAsync();
        if (log is not null)
        {
            Write(log, $"==> killed at {DateTime.UtcNow:HH:mm:ss.fff}");
        }

        process.Dispose();
        process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process?.Dispose();
        process = null;
        if (log is not null)
        {
            await log.DisposeAsync();
            log = null;
        }
    }

    private static void Write(StreamWriter writer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (writer)
        {
            writer.WriteLine(line);
        }
    }
}
