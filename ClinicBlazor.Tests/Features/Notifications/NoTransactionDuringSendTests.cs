using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Notifications.Email;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Notifications;

public sealed class NoTransactionDuringSendTests : IAsyncLifetime
{
    private readonly ClinicAppFactory app = NoticeTestKit.NewApp();
    private readonly ProbingEmailSender probe = new();

    public Task InitializeAsync()
    {
        probe.DatabasePath = app.DatabasePath;
        app.ConfigureServices = services => services.AddSingleton<IEmailSender>(probe);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task The_database_is_writable_from_another_connection_while_the_sender_runs()
    {
        await app.SetNoticesAsync(DemoSignIns.Practitioner.Email, NotificationMethod.Email);
        await app.TellPatientsAsync(byEmail: false); // the practitioner's notices only: no patient email beside them
        var appointment = await app.AddAppointmentAsync(DemoSignIns.Practitioner.Email, NoticeTestKit.NightSlot);
        await app.CancelAsAsync(DemoSignIns.Receptionist.Email, appointment.Id);

        app.Clock!.Advance(TimeSpan.FromSeconds(60));
        var result = await app.DispatchAsync();

        Assert.Equal(1, result.EmailsSent);
        var observation = Assert.Single(probe.Observations);
        Assert.Null(observation.WriteError);
        Assert.Equal("Sending", observation.DeliveryStateSeenFromOutside);
        Assert.Equal(DeliveryState.Sent, (await app.NoticeForAsync(appointment.Id)).Email().State);
    }

    /// <summary>A sender that, while it is called, writes to the database from its own connection without waiting.</summary>
    private sealed class ProbingEmailSender : IEmailSender, IEmailSession
    {
        public string DatabasePath { get; set; } = "";

        public List<(string? WriteError, string? DeliveryStateSeenFromOutside)> Observations { get; } = [];

        public string Description => "probe";

        public Task<IEmailSession> OpenSessionAsync(CancellationToken cancellationToken) => Task.FromResult<IEmailSession>(this);

        public async Task<string> SendAsync(EmailMessage message, CancellationToken cancellationToken)
        {
            string? error = null;
            string? state = null;
            await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False;Default Timeout=1");
            await connection.OpenAsync(cancellationToken);
            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS probe (x); INSERT INTO probe VALUES (1); COMMIT;";
                await command.ExecuteNonQueryAsync(cancellationToken);
                command.CommandText = "SELECT State FROM NoticeDelivery ORDER BY Id DESC LIMIT 1;";
                state = (string?)await command.ExecuteScalarAsync(cancellationToken);
            }
            catch (SqliteException exception)
            {
                error = exception.Message;
            }

            Observations.Add((error, state));
            return "probe-1";
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
