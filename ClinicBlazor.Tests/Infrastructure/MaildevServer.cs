using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace ClinicBlazor.Tests.Infrastructure;

/// <summary>
/// A real SMTP server (maildev, installed by ./test.sh into .test-tools) on free loopback ports.
/// Tests read what it received over its REST API, and can stop and start it to simulate an outage.
/// </summary>
public sealed class MaildevServer : IAsyncLifetime
{
    private readonly string temp = Path.Combine(Path.GetTempPath(), "clinicblazor-maildev", Guid.NewGuid().ToString("N"));
    private readonly HttpClient http = new();
    private Process? process;

    public int SmtpPort { get; } = FreePort.Next();

    public int WebPort { get; } = FreePort.Next();

    public bool IsRunning => process is { HasExited: false };

    /// <summary>The CPU time maildev's process has used so far (benchmarks compare it before and after a run).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            if (process is null)
            {
                return TimeSpan.Zero;
            }

            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// Keep received mail in a folder and load it back on <see cref="StartAsync"/>, so a stop loses
    /// nothing the server had accepted (maildev writes each message before it answers 250).
    /// </summary>
    public bool KeepsMailAcrossRestarts { get; init; }

    public async Task InitializeAsync()
    {
        http.BaseAddress = new Uri($"http://127.0.0.1:{WebPort}/");
        await StartAsync();
    }

    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        // maildev 3 ships its command as dist/bin/maildev.js (package.json "bin").
        var script = Path.Combine(RepositoryPaths.TestTools, "node_modules", "maildev", "dist", "bin", "maildev.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"maildev is not installed at {script}: run ./test.sh, which installs it.");
        }

        Directory.CreateDirectory(temp);
        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { script, "--smtp", SmtpPort.ToString(), "--web", WebPort.ToString(), "--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "--silent" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (KeepsMailAcrossRestarts)
        {
            start.ArgumentList.Add("--mail-directory");
            start.ArgumentList.Add(Path.Combine(temp, "mail"));
        }

        start.Environment["TMPDIR"] = temp;
        process = Process.Start(start) ?? throw new InvalidOperationException("maildev did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await FreePort.WaitUntilListeningAsync(SmtpPort, TimeSpan.FromSeconds(60));
        await FreePort.WaitUntilListeningAsync(WebPort, TimeSpan.FromSeconds(60));
    }

    /// <summary>Kills the server: connections are refused until <see cref="StartAsync"/>. Received mail is lost unless <see cref="KeepsMailAcrossRestarts"/>.</summary>
    public async Task StopAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process?.Dispose();
        process = null;
    }

    public async Task<IReadOnlyList<ReceivedEmail>> GetEmailsAsync() =>
        await http.GetFromJsonAsync<List<ReceivedEmail>>("api/email") ?? [];

    /// <summary>Waits until at least <paramref name="count"/> emails have arrived (or the timeout passes) and returns them all.</summary>
    public async Task<IReadOnlyList<ReceivedEmail>> WaitForEmailsAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = Deadline.In(timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var emails = await GetEmailsAsync();
            if (emails.Count >= count || deadline.Passed)
            {
                return emails;
            }

            await Task.Delay(100);
        }
    }

    public async Task ClearAsync() => (await http.DeleteAsync("api/email/all")).EnsureSuccessStatusCode();

    public async Task DisposeAsync()
    {
        await StopAsync();
        http.Dispose();
        try
        {
            Directory.Delete(temp, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed record ReceivedEmail(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("html")] string? Html,
    [property: JsonPropertyName("to")] IReadOnlyList<EmailAddress> To,
    [property: JsonPropertyName("from")] IReadOnlyList<EmailAddress> From)
{
    public string ToAddress => To.Count > 0 ? To[0].Address : "";
}

public sealed record EmailAddress(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("name")] string? Name);
