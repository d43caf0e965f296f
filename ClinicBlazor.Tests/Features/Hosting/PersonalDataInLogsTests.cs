using System.Collections.Concurrent;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Notifications.Email;
using ClinicBlazor.Features.OnlineBookings;
using ClinicBlazor.Tests.Features.Notifications;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ClinicBlazor.Tests.Features.Hosting;

public sealed class PersonalDataInLogsTests
{
    private const string PatientEmail = "nadia.logtest@patients.example";
    private const string PatientMobile = "0412 555 019";

    [Fact]
    public async Task A_failed_confirmation_and_a_lockout_log_ids_not_emails_or_phone_numbers()
    {
        var logs = new CapturingLoggerProvider();
        await using var app = new ClinicAppFactory
        {
            // Tuesday 24 November 2026, 09:00 in Sydney.
            Clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 22, 0, 0, TimeSpan.Zero)),
            ConfigureServices = services =>
            {
                services.AddSingleton<ILoggerProvider>(logs);
                services.Configure<LoggerFilterOptions>(filters => filters.AddFilter<CapturingLoggerProvider>(category: null, LogLevel.Trace));
            },
        }
            .With("Notifications:Email:Smtp:Host", "127.0.0.1")
            .With("Notifications:Email:Smtp:Port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("Notifications:Email:Smtp:Security", "None");

        await BookOnlineAsync(app);

        // The confirmation is queued with the booking; the dispatcher's send fails (nothing listens
        // on the SMTP port) and is logged by outbox id.
        await app.DispatchAsync();

        using var client = new SignInClient(app.ServerAddress);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await client.SignInAsync(DemoSignIns.SecondReceptionist.Email, "wrong-password-" + attempt);
        }

        var text = logs.Text;
        Assert.Contains("locked out", text, StringComparison.Ordinal);
        Assert.Matches("message [0-9]+ was not sent", text);
        Assert.DoesNotContain(PatientEmail, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(DemoSignIns.SecondReceptionist.Email, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("412 555 019", text, StringComparison.Ordinal);
        Assert.DoesNotContain("412555019", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_confirmation_the_mail_server_refuses_with_the_address_in_its_reply_is_logged_by_its_outbox_id()
    {
        var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 22, 0, 0, TimeSpan.Zero));
        await using var app = new ClinicAppFactory
        {
            Clock = clock,
            ConfigureServices = services =>
            {
                services.AddSingleton<ILoggerProvider>(logs);
                services.Configure<LoggerFilterOptions>(filters => filters.AddFilter<CapturingLoggerProvider>(category: null, LogLevel.Trace));
                services.AddSingleton<IEmailSender>(new RefusingEmailSender($"550 5.1.1 <{PatientEmail}>: mailbox unavailable"));
            },
        };

        await BookOnlineAsync(app);

        await app.Services.GetRequiredService<NoticeDispatcher>().DispatchDueAsync(clock.GetUtcNow().UtcDateTime);

        var text = logs.Text;
        Assert.Matches(@"message \d+ was not sent: 550 5\.1\.1 <\[email\]>: mailbox unavailable", text);
        Assert.DoesNotContain(PatientEmail, text, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("550 5.1.1 <nadia@patients.example>: mailbox unavailable", "550 5.1.1 <[email]>: mailbox unavailable")]
    [InlineData("The 'To' number +61412555019 is not a valid phone number.", "The 'To' number [phone] is not a valid phone number.")]
    [InlineData("Invalid 'To' Phone Number: +61 412 555 019", "Invalid 'To' Phone Number: [phone]")]
    [InlineData("HTTP 400, code 21612", "HTTP 400, code 21612")]
    public void Outside_text_is_redacted_before_it_is_logged(string text, string expected)
    {
        Assert.Equal(expected, LogRedaction.Redact(text));
    }

    /// <summary>Nadia books online: the booking queues her confirmation email.</summary>
    private static async Task BookOnlineAsync(ClinicAppFactory app)
    {
        await using var scope = app.AnonymousScope();
        var bookings = scope.ServiceProvider.GetRequiredService<OnlineBookingService>();
        var type = (await bookings.GetChoicesAsync()).Types[0].Id;
        var slot = (await bookings.GetSlotsAsync(null, type, new DateOnly(2026, 11, 26)))[0];
        var details = new PatientDetailsInput { FirstName = "Nadia", LastName = "Logtest", Email = PatientEmail, Mobile = PatientMobile };
        Assert.True((await bookings.BookAsync(slot.Key, type, details, "http://clinic.test/booking/")).Succeeded);
    }

    /// <summary>A mail server that refuses every recipient, quoting the address back as real servers do.</summary>
    private sealed class RefusingEmailSender(string reply) : IEmailSender, IEmailSession
    {
        public string Description => "refusing";

        public Task<IEmailSession> OpenSessionAsync(CancellationToken cancellationToken) => Task.FromResult<IEmailSession>(this);

        public Task<string> SendAsync(EmailMessage message, CancellationToken cancellationToken) =>
            Task.FromException<string>(new EmailSendException(EmailFailureKind.Permanent, reply));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> lines = new();

        public string Text => string.Join('\n', lines);

        public ILogger CreateLogger(string categoryName) => new Logger(lines, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
