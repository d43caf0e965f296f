using System.Collections.Concurrent;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClinicBlazor.Tests.Features.Notifications.Sms;

public sealed class SmsStartupWarningsTests
{
    [Fact]
    public async Task An_API_key_without_an_Auth_Token_warns_that_there_are_no_status_callbacks()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Notifications:Sms:Twilio:AccountSid"] = TwilioStandIn.AccountSid,
            ["Notifications:Sms:Twilio:ApiKeySid"] = TwilioStandIn.ApiKeySid,
            ["Notifications:Sms:Twilio:ApiKeySecret"] = TwilioStandIn.ApiKeySecret,
            ["Notifications:Sms:Twilio:From"] = TwilioStandIn.From,
        };

        var warnings = await StartupWarningsAsync(settings);

        Assert.Contains(warnings, w => w.Contains("no status callbacks", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_development_sink_outside_Development_warns_that_nobody_receives_the_SMS()
    {
        var settings = new Dictionary<string, string?> { ["Notifications:Sms:DevSinkDirectory"] = Path.Combine(Path.GetTempPath(), "clinicblazor-sms-unused") };

        var warnings = await StartupWarningsAsync(settings);

        Assert.Contains(warnings, w => w.Contains("nobody receives them", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_complete_Twilio_configuration_starts_without_a_warning()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Notifications:Sms:Twilio:AccountSid"] = TwilioStandIn.AccountSid,
            ["Notifications:Sms:Twilio:AuthToken"] = TwilioStandIn.AuthToken,
            ["Notifications:Sms:Twilio:From"] = TwilioStandIn.From,
            ["Notifications:Sms:Twilio:StatusCallbackUrl"] = "https://clinic.example.org/webhooks/twilio/status",
        };

        Assert.Empty(await StartupWarningsAsync(settings));
    }

    private static async Task<IReadOnlyList<string>> StartupWarningsAsync(Dictionary<string, string?> settings)
    {
        var logs = new WarningCollector();
        await using var host = SmsTestHost.Create(settings, logs);
        foreach (var service in host.Services.GetServices<IHostedService>().Where(s => s.GetType().Name == "SmsStartupWarnings"))
        {
            await service.StartAsync(CancellationToken.None);
        }

        return logs.Warnings.ToList();
    }

    private sealed class WarningCollector : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Warnings { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Warnings.Enqueue(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }
}
