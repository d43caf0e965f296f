using System.Diagnostics;
using System.Globalization;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>
/// Four members of staff cancelling upcoming appointments and booking new ones at once, on the SQLite
/// file and on PostgreSQL: how long a cancel takes (p50/p99), and whether "database is locked" ever
/// reaches a user. Each cancellation queues the patient's email, which the app's own dispatcher
/// sends meanwhile. Measured twice: right after the app starts, and once the process is warm.
/// </summary>
[Collection(BenchmarkCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed class WritersBenchmark
{
    private const int Writers = 4;
    private const int RoundsPerWriter = 80;

    /// <summary>Unmeasured rounds before the first measured ones: the first calls of each path.</summary>
    private const int FirstRounds = 10;

    /// <summary>
    /// Unmeasured rounds (cancel, Undo, book) between the two measurements. A freshly started process
    /// recompiles its hot code in the background (tiered JIT); on 2 busy cores that takes CPU from the
    /// requests. The figures each phase prints (methods compiled, compile time) show how much.
    /// </summary>
    private const int WarmUpRounds = 300;

    [Fact]
    public Task Four_concurrent_writers_cancel_and_book() => MeasureAsync(DatabaseProvider.Sqlite);

    [Fact]
    public Task Four_concurrent_writers_cancel_and_book_on_PostgreSql() => MeasureAsync(DatabaseProvider.PostgreSql);

    private static async Task MeasureAsync(DatabaseProvider provider)
    {
        await using var app = ClinicAppFactory.On(provider);
        var staff = new[] { DemoSignIns.Receptionist.Email, DemoSignIns.SecondReceptionist.Email, DemoSignIns.Admin.Email, DemoSignIns.Practitioner.Email };
        var now = app.UtcNow;
        List<int> upcoming;
        int typeId;
        await using (var db = await app.CreateDbContextAsync())
        {
            upcoming = await db.Set<Appointment>().Where(a => a.Status == AppointmentStatus.Booked && a.StartUtc > now).OrderBy(a => a.Id).Select(a => a.Id).ToListAsync();
            typeId = await db.Set<AppointmentType>().Where(t => t.DurationMinutes == 30).Select(t => t.Id).FirstAsync();
        }

        Assert.True(upcoming.Count >= (Writers * (RoundsPerWriter + FirstRounds)) + Writers, $"The demo clinic has {upcoming.Count} upcoming appointments; the benchmark needs {(Writers * (RoundsPerWriter + FirstRounds)) + Writers}.");

        // The writers' own bookings go a year ahead, each writer at its own time of day: they never overlap.
        var ahead = now.Date.AddYears(1);
        var writers = new Writer[Writers];
        for (var i = 0; i < Writers; i++)
        {
            writers[i] = new Writer(i, await app.ScopeForAsync(staff[i]), typeId);
        }

        try
        {
            // 1. From a cold start: the demo clinic's upcoming appointments, in id order, whoever's they are.
            var cold = await PhaseAsync(writers, async writer =>
            {
                for (var round = -FirstRounds; round < RoundsPerWriter; round++)
                {
                    var id = round < 0 ? upcoming[(Writers * RoundsPerWriter) + (writer.Index * FirstRounds) + FirstRounds + round] : upcoming[(writer.Index * RoundsPerWriter) + round];
                    await writer.CancelAsync(id, measured: round >= 0);
                    await writer.BookAsync(1 + writer.Index, ahead.AddDays(FirstRounds + round).AddMinutes(30 * writer.Index), round, measured: round >= 0);
                }
            });

            // 2. Warming up: each writer cancels one upcoming appointment and undoes it, and books ahead
            // for the four practitioners in turn (the appointments the warm measurement cancels).
            var bookedAhead = new List<int>[Writers];
            var warmUp = await PhaseAsync(writers, async writer =>
            {
                var own = upcoming[(Writers * (RoundsPerWriter + FirstRounds)) + writer.Index];
                bookedAhead[writer.Index] = [];
                for (var round = 0; round < WarmUpRounds; round++)
                {
                    await writer.CancelAsync(own, measured: false);
                    await writer.UndoAsync(own);
                    bookedAhead[writer.Index].Add(await writer.BookAsync(1 + ((writer.Index + round) % Writers), ahead.AddDays(1000 + round).AddMinutes(30 * writer.Index), round, measured: false));
                }
            });

            // 3. Warm: the same work as 1, on the appointments booked in 2.
            foreach (var writer in writers)
            {
                writer.Clear();
            }

            var warm = await PhaseAsync(writers, async writer =>
            {
                for (var round = 0; round < RoundsPerWriter; round++)
                {
                    await writer.CancelAsync(bookedAhead[writer.Index][round], measured: true);
                    await writer.BookAsync(1 + writer.Index, ahead.AddDays(2000 + round).AddMinutes(30 * writer.Index), round, measured: true);
                }
            });

            var locked = writers.Sum(w => w.Locked);
            var errors = writers.SelectMany(w => w.Errors).ToList();
            int queued, sent;
            await using (var db = await app.CreateDbContextAsync())
            {
                queued = await db.Set<OutboxMessage>().CountAsync(m => m.Channel == NoticeChannel.Email);
                sent = await db.Set<OutboxMessage>().CountAsync(m => m.Channel == NoticeChannel.Email && m.State == OutboxMessageState.Sent);
            }

            var warmCancels = writers.SelectMany(w => w.Cancels).ToList();
            var warmBooks = writers.SelectMany(w => w.Books).ToList();
            var p99 = PerformanceReport.Percentile(warmCancels, 99);
            var postgreSql = provider == DatabaseProvider.PostgreSql;
            var engine = postgreSql
                ? "on the tests' throw-away PostgreSQL 15 on loopback (fsync off: the app's and the locks' cost, not a disk's); each transaction holds the writer lock shared and waits only for the schedule of the practitioner it changes (`pg_advisory_xact_lock(space, practitioner id)`) and the deliveries of the appointment's open notices; the dispatcher's claim and record of a queued message lock only its Outbox row (`FOR UPDATE SKIP LOCKED`), so they stall no schedule change. The app's connections prepare the statements they repeat (Npgsql's Max Auto Prepare)"
                : "each in a BEGIN IMMEDIATE transaction, the writers (and the dispatcher) queueing for it first come, first served (SqliteWriterQueue); WAL journal, busy_timeout 10 s for a writer in another process";
            await PerformanceReport.PublishAsync(
                postgreSql ? "writers-postgresql" : "writers",
                postgreSql ? "Writers on PostgreSQL: 4 concurrent staff cancelling and booking" : "Writers: 4 concurrent staff cancelling and booking (SQLite)",
                postgreSql ? "./test.sh --bench --only Writers" : "./test.sh --bench",
                [
                    ("cancel p50 (warm)", Ms(PerformanceReport.Percentile(warmCancels, 50)), "—", null),
                    ("cancel p99 (warm)", Ms(p99), "≤ 50 ms", p99 <= 50),
                    ("book p50 / p99 (warm)", $"{Ms(PerformanceReport.Percentile(warmBooks, 50))} / {Ms(PerformanceReport.Percentile(warmBooks, 99))}", "—", null),
                    ("right after start: cancel p50 / p99", $"{Ms(cold.CancelP50)} / {Ms(cold.CancelP99)}", "—", null),
                    ("\"database is locked\" reaching a user", locked.ToString(CultureInfo.InvariantCulture), "0", locked == 0),
                ],
                $"{Writers} writers, each through AppointmentService with its own context, {engine}. Each round a writer cancels one upcoming appointment (the patient's email is queued in the same transaction and the app's dispatcher sends it meanwhile: {sent} of {queued} were sent by the end) and books one new. "
                + $"**Warm** (the target's figures): {WarmUpRounds} unmeasured rounds of cancel, Undo and book first, then {RoundsPerWriter} measured rounds cancelling the appointments those booked, for the four practitioners in turn. "
                + $"**Right after start**: {FirstRounds} unmeasured rounds, then {RoundsPerWriter} measured, on the demo clinic's upcoming appointments in id order, whoever's they are{(postgreSql ? " (in a test process that has just run the SQLite benchmark when both run)" : "")}. "
                + $"Why they differ: a process compiles its hot code a second time, optimised, in the background (tiered JIT), and on 2 cores busy with four writers that work takes CPU from the requests. The JIT compiled {Jit(cold)} in the {cold.Seconds.ToString("0.0", CultureInfo.InvariantCulture)} s right after start, {Jit(warmUp)} in the {warmUp.Seconds.ToString("0.0", CultureInfo.InvariantCulture)} s warm-up and {Jit(warm)} in the {warm.Seconds.ToString("0.0", CultureInfo.InvariantCulture)} s warm measurement: the warm figure still carries some of it.");

            Assert.Equal(0, locked);
            Assert.Empty(errors);
        }
        finally
        {
            foreach (var writer in writers)
            {
                await writer.DisposeAsync();
            }
        }
    }

    private static string Ms(double milliseconds) => $"{milliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms";

    private static string Jit(PhaseFigures phase) =>
        string.Create(CultureInfo.InvariantCulture, $"{phase.MethodsCompiled:N0} methods ({phase.MethodsCompiled / phase.Seconds:N0}/s, {phase.CompileSeconds:0.0} s of compile time)");

    /// <summary>Runs <paramref name="work"/> on every writer at once; what the JIT did meanwhile, and the cancels' p50/p99 it measured.</summary>
    private static async Task<PhaseFigures> PhaseAsync(Writer[] writers, Func<Writer, Task> work)
    {
        var methods = System.Runtime.JitInfo.GetCompiledMethodCount();
        var compiling = System.Runtime.JitInfo.GetCompilationTime();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(writers.Select(writer => Task.Run(() => work(writer))));
        var cancels = writers.SelectMany(w => w.Cancels).ToList();
        return new PhaseFigures(
            watch.Elapsed.TotalSeconds,
            System.Runtime.JitInfo.GetCompiledMethodCount() - methods,
            (System.Runtime.JitInfo.GetCompilationTime() - compiling).TotalSeconds,
            PerformanceReport.Percentile(cancels, 50),
            PerformanceReport.Percentile(cancels, 99));
    }

    private sealed record PhaseFigures(double Seconds, long MethodsCompiled, double CompileSeconds, double CancelP50, double CancelP99);

    /// <summary>One member of staff at their desk: their own scope, and what they measured.</summary>
    private sealed class Writer(int index, AsyncServiceScope scope, int typeId) : IAsyncDisposable
    {
        private readonly AppointmentService appointments = scope.ServiceProvider.GetRequiredService<AppointmentService>();

        public int Index => index;

        public List<double> Cancels { get; } = [];

        public List<double> Books { get; } = [];

        public List<string> Errors { get; } = [];

        public int Locked { get; private set; }

        public void Clear()
        {
            Cancels.Clear();
            Books.Clear();
        }

        public async Task CancelAsync(int appointmentId, bool measured)
        {
            var watch = Stopwatch.StartNew();
            var cancelled = await TryAsync(() => appointments.CancelAsync(new CancelAppointment(appointmentId, CancellationReason.Other)));
            if (measured && cancelled is not null)
            {
                Cancels.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        public async Task UndoAsync(int appointmentId) => await TryAsync(() => appointments.ReinstateAsync(appointmentId));

        /// <summary>Books for patient 1–30 in turn; the new appointment's id (0 when it failed).</summary>
        public async Task<int> BookAsync(int practitionerId, DateTime startUtc, int round, bool measured)
        {
            var watch = Stopwatch.StartNew();
            var booked = await TryAsync(() => appointments.BookAsync(new BookAppointment(1 + ((round + FirstRounds) % 30), practitionerId, typeId, startUtc)));
            if (measured && booked is not null)
            {
                Books.Add(watch.Elapsed.TotalMilliseconds);
            }

            return booked?.Value?.Id ?? 0;
        }

        public ValueTask DisposeAsync() => scope.DisposeAsync();

        /// <summary>The result, or null when it failed (the error kept); "database is locked" is counted apart.</summary>
        private async Task<Result<Appointment>?> TryAsync(Func<Task<Result<Appointment>>> action)
        {
            try
            {
                var result = await action();
                if (!result.Succeeded)
                {
                    Errors.Add(result.Error!);
                    return null;
                }

                return result;
            }
            catch (Exception exception) when (exception.ToString().Contains("database is locked", StringComparison.OrdinalIgnoreCase))
            {
                Locked++;
                return null;
            }
        }
    }
}
