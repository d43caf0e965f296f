using System.Globalization;
using ClinicBlazor.Data.PostgreSql;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>
/// Two app processes (<c>dotnet ClinicBlazor.dll</c>) on the tests' PostgreSQL, both sending SMS to a
/// slow Twilio stand-in; node B is SIGKILLed while it has SMS on the wire. How long until the
/// survivor has sent what was due and unclaimed at the kill, and what the dead node had in flight.
/// CLINIC_BENCH_QUICK=1 runs one kill instead of three.
/// </summary>
[Collection(BenchmarkCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed class NodeKilledBenchmark
{
    private const int LeaseSeconds = 10;

    private const int SmsPerRound = 16;

    private static readonly bool Quick = Environment.GetEnvironmentVariable("CLINIC_BENCH_QUICK") == "1";

    private static readonly TimeSpan AnswerDelay = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Node_killed_while_sending_the_survivor_takes_up_its_work()
    {
        var rounds = Quick ? 1 : 3;
        var directory = Path.Combine(Path.GetTempPath(), "clinicblazor-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var connectionString = TestPostgreSql.NewDatabase();
        await using var standIn = new TwilioStandIn { AnswerDelay = AnswerDelay };
        await standIn.InitializeAsync();
        var unclaimed = new List<double>();
        var inFlight = new List<double>();
        var lost = 0;
        try
        {
            await using var nodeA = new AppProcess(NodeSettings(connectionString, standIn), Path.Combine(directory, "node-a.log"), TimeSpan.FromMinutes(15));
            await nodeA.StartAsync(TimeSpan.FromMinutes(3));
            await using var nodeB = new AppProcess(NodeSettings(connectionString, standIn), Path.Combine(directory, "node-b.log"), TimeSpan.FromMinutes(15));
            for (var round = 0; round < rounds; round++)
            {
                await nodeB.StartAsync(TimeSpan.FromMinutes(3));
                var figures = await KillRoundAsync(connectionString, nodeB, round);
                unclaimed.AddRange(figures.Unclaimed);
                inFlight.AddRange(figures.InFlight);
                lost += figures.Lost;
            }
        }
        finally
        {
            TestPostgreSql.DropDatabase(connectionString);
            Directory.Delete(directory, recursive: true);
        }

        var unclaimedMax = unclaimed.Count == 0 ? double.NaN : unclaimed.Max();
        var inFlightMax = inFlight.Count == 0 ? double.NaN : inFlight.Max();
        await PerformanceReport.PublishAsync(
            "node-killed",
            "Two nodes: one SIGKILLed while sending, the survivor takes up its work",
            Quick ? "CLINIC_BENCH_QUICK=1 ./test.sh --bench --only NodeKilled" : "./test.sh --bench --only NodeKilled",
            [
                ("due and unclaimed at the kill → sent by the survivor, max", $"{unclaimedMax:0.0} s ({unclaimed.Count} SMS)", "≤ 30 s", unclaimed.Count > 0 && unclaimedMax <= 30),
                ("in flight at the kill → settled by the survivor, max", $"{inFlightMax:0.0} s ({inFlight.Count} SMS)", $"≤ lease + 30 s = {LeaseSeconds + 30} s", inFlight.Count > 0 && inFlightMax <= LeaseSeconds + 30),
                ("SMS lost", lost.ToString(CultureInfo.InvariantCulture), "0", lost == 0),
            ],
            $"""
            {rounds} kills. In each, {SmsPerRound} pending SMS notices are made due at once and both nodes are woken by a `NOTIFY`;
            the Twilio stand-in answers each message after {AnswerDelay.TotalSeconds:0} s, so each node (`MaxParallelSends` 4) has SMS on
            the wire; once node B has claimed some, it is SIGKILLed. Timed from the kill until each delivery is Sent in the
            database (polled every 100 ms). "Due and unclaimed": Pending at the kill, taken by the survivor's
            current run. "In flight": Sending at the kill; the dead node's wait for their lease (`Notifications:LeaseSeconds` =
            {LeaseSeconds}) to run out and then for the survivor's 30-second periodic run, which finds them in the stand-in's log
            (they reached it) and records them Sent without sending again. Node B is started again for the next kill.
            """);

        Assert.Equal(0, lost);
    }

    private sealed record RoundFigures(List<double> Unclaimed, List<double> InFlight, int Lost);

    private static async Task<RoundFigures> KillRoundAsync(string connectionString, AppProcess nodeB, int round)
    {
        await BenchNotices.WaitForListenersAsync(connectionString, 2);
        var now = DateTime.UtcNow;
        List<int> deliveries;
        await using (var db = Open(connectionString))
        {
            var practitioners = await BenchNotices.AddSmsPractitionersAsync(db, SmsPerRound / 4, $"kill{round}p");
            deliveries = await BenchNotices.AddPendingSmsAsync(db, practitioners, 4, now, now);
            await BenchNotices.TopUpAsync(db, deliveries.Count, now);
        }

        // Both nodes' dispatchers woken as a cancellation's signal wakes them.
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var notify = new NpgsqlCommand("SELECT pg_notify($1, $2)", connection);
            notify.Parameters.Add(new NpgsqlParameter { Value = PostgreSqlSignals.NoticesChannel });
            notify.Parameters.Add(new NpgsqlParameter { Value = $$"""{"Node":"benchmark","DueUtc":"{{now:O}}"}""" });
            await notify.ExecuteNonQueryAsync();
        }

        // Once SMS are on the wire (more claimed than one node's four), node B dies.
        var deadline = Deadline.In(TimeSpan.FromSeconds(30));
        while (await CountAsync(connectionString, deliveries, DeliveryState.Sending) <= 4 && !deadline.Passed)
        {
            await Task.Delay(20);
        }

        await nodeB.KillAsync();
        var killedAt = DateTime.UtcNow;
        Dictionary<int, DeliveryState> atKill;
        await using (var db = Open(connectionString))
        {
            atKill = await db.Set<NoticeDelivery>().AsNoTracking().Where(d => deliveries.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.State);
        }

        // When each delivery is first seen Sent, polled every 100 ms: the takeover is timed on the benchmark's own clock, from outside both nodes.
        var sentAt = new Dictionary<int, DateTime>();
        var settled = Deadline.In(TimeSpan.FromMinutes(3));
        while (sentAt.Count < deliveries.Count && !settled.Passed)
        {
            await using (var check = Open(connectionString))
            {
                var sent = await check.Set<NoticeDelivery>().Where(d => deliveries.Contains(d.Id) && d.State == DeliveryState.Sent).Select(d => d.Id).ToListAsync();
                var seen = DateTime.UtcNow;
                foreach (var id in sent)
                {
                    sentAt.TryAdd(id, seen);
                }
            }

            await Task.Delay(100);
        }

        double After(int id) => Math.Max(0, (sentAt[id] - killedAt).TotalSeconds);
        return new RoundFigures(
            [.. atKill.Where(d => d.Value == DeliveryState.Pending && sentAt.ContainsKey(d.Key)).Select(d => After(d.Key))],
            [.. atKill.Where(d => d.Value == DeliveryState.Sending && sentAt.ContainsKey(d.Key)).Select(d => After(d.Key))],
            deliveries.Count - sentAt.Count);
    }

    private static async Task<int> CountAsync(string connectionString, List<int> deliveries, DeliveryState state)
    {
        await using var db = Open(connectionString);
        return await db.Set<NoticeDelivery>().CountAsync(d => deliveries.Contains(d.Id) && d.State == state);
    }

    private static PostgreSqlClinicDbContext Open(string connectionString) =>
        new(new DbContextOptionsBuilder<PostgreSqlClinicDbContext>().UseNpgsql(connectionString).Options);

    private static Dictionary<string, string> NodeSettings(string connectionString, TwilioStandIn standIn) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["Database__Provider"] = "PostgreSql",
        ["ConnectionStrings__Clinic"] = connectionString,
        ["Demo__Seed"] = "true",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Notifications__BatchWindowSeconds"] = "0",
        ["Notifications__MaxParallelSends"] = "4",
        ["Notifications__LeaseSeconds"] = LeaseSeconds.ToString(CultureInfo.InvariantCulture),
        ["Notifications__Email__PickupDirectory"] = Path.Combine(Path.GetTempPath(), "clinicblazor-bench-pickup"),
        ["Notifications__Sms__Twilio__AccountSid"] = TwilioStandIn.AccountSid,
        ["Notifications__Sms__Twilio__AuthToken"] = TwilioStandIn.AuthToken,
        ["Notifications__Sms__Twilio__From"] = TwilioStandIn.From,
        ["Notifications__Sms__Twilio__BaseUrl"] = standIn.BaseUrl.ToString(),
    };
}
