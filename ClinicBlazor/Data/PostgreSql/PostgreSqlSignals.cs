using System.Text.Json;
using System.Threading.Channels;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using Npgsql;

namespace ClinicBlazor.Data.PostgreSql;

/// <summary>
/// Live signals between nodes through PostgreSQL's LISTEN/NOTIFY: a change published on this node
/// is queued and sent by NOTIFY from a background loop (a request never waits for it), and one
/// listening connection per node hands the other nodes' changes to this node's notifiers. The
/// listener reconnects after a drop; <see cref="State"/> says how it stands (/healthz reports it).
/// </summary>
public sealed class PostgreSqlSignals(IConfiguration configuration, CalendarNotifier calendar, NoticeSignal notices, TimeProvider clock, ILogger<PostgreSqlSignals> logger)
    : BackgroundService
{
    public const string CalendarChannel = "clinic_calendar";

    /// <summary>Wakes every node's dispatcher for a due time, so the work is shared without waiting for each node's sweep.</summary>
    public const string NoticesChannel = "clinic_notices";

    private const int MaxSignalsPerRoundTrip = 100;

    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(10);

    private readonly string node = Guid.NewGuid().ToString("N");
    private readonly Channel<(string Channel, string Payload)> outgoing = Channel.CreateBounded<(string, string)>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private volatile ListenerState state = new(false, null, "Not connected yet.");
    private long heard;

    public ListenerState State => state;

    /// <summary>Notifications this node's listener has taken in, its own included (which it passes over).</summary>
    public long Heard => Interlocked.Read(ref heard);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        calendar.ToOtherNodes = change => outgoing.Writer.TryWrite((CalendarChannel, JsonSerializer.Serialize(new CalendarSignal(node, change))));
        notices.ToOtherNodes = dueUtc => outgoing.Writer.TryWrite((NoticesChannel, JsonSerializer.Serialize(new NoticesSignal(node, dueUtc))));
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        calendar.ToOtherNodes = null;
        notices.ToOtherNodes = null;
        outgoing.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sending = SendAsync(stoppingToken);
        await ListenAsync(stoppingToken);
        await sending;
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var settings = new NpgsqlConnectionStringBuilder(DataExtensions.ConnectionString(configuration))
        {
            // Its own physical connection, pinged so that a dropped network is noticed.
            Pooling = false,
            KeepAlive = 15,
            ApplicationName = "ClinicBlazor listener",
        };
        var delay = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(settings.ConnectionString);
                connection.Notification += OnNotification;
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {CalendarChannel}; LISTEN {NoticesChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                state = new ListenerState(true, clock.GetUtcNow(), "Listening.");
                delay = TimeSpan.FromMilliseconds(250);
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                state = new ListenerState(false, clock.GetUtcNow(), $"Disconnected: {exception.Message}");
                logger.LogWarning(exception, "The PostgreSQL listener lost its connection; reconnecting in {Delay}", delay);
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));
            }
        }

        state = new ListenerState(false, clock.GetUtcNow(), "Stopped.");
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs notification)
    {
        try
        {
            if (notification.Channel == CalendarChannel
                && JsonSerializer.Deserialize<CalendarSignal>(notification.Payload) is { } signal
                && signal.Node != node)
            {
                calendar.PublishHere(signal.Change);
            }
            else if (notification.Channel == NoticesChannel
                && JsonSerializer.Deserialize<NoticesSignal>(notification.Payload) is { } due
                && due.Node != node)
            {
                // Scheduling waits on a lock: not on the listener's connection.
                _ = Task.Run(() => notices.DeliveriesDueHereAsync(due.DueUtc));
            }
        }
        catch (JsonException exception)
        {
            logger.LogWarning(exception, "A signal on {Channel} could not be read", notification.Channel);
        }
        finally
        {
            Interlocked.Increment(ref heard);
        }
    }

    private async Task SendAsync(CancellationToken stoppingToken)
    {
        var connectionString = DataExtensions.ConnectionString(configuration);
        try
        {
            while (await outgoing.Reader.WaitToReadAsync(stoppingToken))
            {
                try
                {
                    await using var connection = new NpgsqlConnection(connectionString);
                    await connection.OpenAsync(stoppingToken);

                    // What queued up meanwhile goes in one round trip: under load, one for many changes.
                    await using var batch = new NpgsqlBatch(connection);
                    while (batch.BatchCommands.Count < MaxSignalsPerRoundTrip && outgoing.Reader.TryRead(out var signal))
                    {
                        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_notify($1, $2)")
                        {
                            Parameters = { new NpgsqlParameter { Value = signal.Channel }, new NpgsqlParameter { Value = signal.Payload } },
                        });
                    }

                    await batch.ExecuteNonQueryAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
                {
                    // The other nodes' views miss this change until they next load; nothing is lost in the database.
                    logger.LogWarning(exception, "A live signal could not be sent to the other nodes");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private sealed record CalendarSignal(string Node, CalendarChange Change);

    private sealed record NoticesSignal(string Node, DateTime DueUtc);
}

/// <summary>How this node's listening connection stands, and since when.</summary>
public sealed record ListenerState(bool Listening, DateTimeOffset? SinceUtc, string Description);
