using System.Diagnostics;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>
/// Four members of staff cancelling and booking at once, on the SQLite file and on PostgreSQL: how
/// long a cancel takes (p50/p99), and whether "database is locked" ever reaches a user.
/// </summary>
[Collection(BenchmarkCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed class WritersBenchmark
{
    private const int Writers = 4;
    private const int RoundsPerWriter = 80;

    /// <summary>Unmeasured rounds first: a freshly started process spends its first seconds compiling its hot paths again (tiered JIT).</summary>
    private const int WarmUpRounds = 10;

    [Fact]
    public Task Four_concurrent_writers_cancel_and_book() => MeasureAsync(DatabaseProvider.Sqlite);

    [Fact]
    public Task Four_concurrent_writers_cancel_and_book_on_PostgreSql() => MeasureAsync(DatabaseProvider.PostgreSql);

    private static async Task MeasureAsync(DatabaseProvider provider)
    {
        await using var app = ClinicAppFactory.On(provider);
        var staff = new[] { DemoSignIns.Receptionist.Email, DemoSignIns.SecondReceptionist.Email, DemoSignIns.Admin.Email, DemoSignIns.Practitioner.Email };
        List<int> booked;
        int typeId;
        await using (var db = await app.CreateDbContextAsync())
        {
            booked = await db.Set<Appointment>().Where(a => a.Status == AppointmentStatus.Booked).OrderBy(a => a.Id).Select(a => a.Id).ToListAsync();
            typeId = await db.Set<AppointmentType>().Where(t => t.DurationMinutes == 30).Select(t => t.Id).FirstAsync();
        }

        var cancelLatencies = new List<double>();
        var bookLatencies = new List<double>();
        var lockedErrors = 0;
        var otherErrors = new List<string>();
        var farFuture = DateTime.UtcNow.Date.AddYears(1);

        var writers = Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            await using var scope = await app.ScopeForAsync(staff[writer]);
            var appointments = scope.ServiceProvider.GetRequiredService<AppointmentService>();
            for (var round = -WarmUpRounds; round < RoundsPerWriter; round++)
            {
                var measured = round >= 0;
                try
                {
                    var id = measured ? booked[(writer * RoundsPerWriter) + round] : booked[(Writers * RoundsPerWriter) + (writer * WarmUpRounds) + WarmUpRounds + round];
                    var watch = Stopwatch.StartNew();
                    var cancelled = await appointments.CancelAsync(new CancelAppointment(id, CancellationReason.Other));
                    watch.Stop();
                    if (!cancelled.Succeeded)
                    {
                        lock (otherErrors)
                        {
                            otherErrors.Add(cancelled.Error!);
                        }
                    }

                    if (measured)
                    {
                        lock (cancelLatencies)
                        {
                            cancelLatencies.Add(watch.Elapsed.TotalMilliseconds);
                        }
                    }

                    watch.Restart();
                    await appointments.BookAsync(new BookAppointment(1 + ((round + WarmUpRounds) % 30), 1 + writer, typeId, farFuture.AddDays(WarmUpRounds + round).AddMinutes(30 * writer)));
                    watch.Stop();
                    if (measured)
                    {
                        lock (bookLatencies)
                        {
                            bookLatencies.Add(watch.Elapsed.TotalMilliseconds);
                        }
                    }
                }
                catch (Exception exception) when (exception.ToString().Contains("database is locked", StringComparison.OrdinalIgnoreCase))
                {
                    Interlocked.Increment(ref lockedErrors);
                }
            }
        })).ToArray();
        await Task.WhenAll(writers);

        var p50 = PerformanceReport.Percentile(cancelLatencies, 50);
        var p99 = PerformanceReport.Percentile(cancelLatencies, 99);
        var postgreSql = provider == DatabaseProvider.PostgreSql;
        await PerformanceReport.PublishAsync(
            postgreSql ? "writers-postgresql" : "writers",
            postgreSql ? "Writers on PostgreSQL: 4 concurrent staff cancelling and booking" : "Writers: 4 concurrent staff cancelling and booking (SQLite)",
            postgreSql ? "./test.sh --bench --only Writers" : "./test.sh --bench",
            [
                ("cancel p50", $"{p50:0.0} ms", "—", null),
                ("cancel p99", $"{p99:0.0} ms", "≤ 50 ms", p99 <= 50),
                ("book p50 / p99", $"{PerformanceReport.Percentile(bookLatencies, 50):0.0} / {PerformanceReport.Percentile(bookLatencies, 99):0.0} ms", "—", null),
                ("\"database is locked\" reaching a user", lockedErrors.ToString(System.Globalization.CultureInfo.InvariantCulture), "0", lockedErrors == 0),
            ],
            postgreSql
                ? $"{Writers} writers × {RoundsPerWriter} measured rounds after {WarmUpRounds} unmeasured ones (cancel one booked appointment, book one new), each through AppointmentService with its own context, on the tests' throw-away PostgreSQL 15 on loopback (fsync off: the app's and the locks' cost, not a disk's); each transaction holds the writer lock shared and waits only for the schedule of the practitioner it changes (`pg_advisory_xact_lock(space, practitioner id)`) and the deliveries of the appointment's open notices; the writers book for four practitioners and cancel the demo clinic's appointments in id order, whoever's they are. Each cancellation queues the patient's email, which the app's own dispatcher sends meanwhile: its claim and record lock only that message's Outbox row (`FOR UPDATE SKIP LOCKED`), so they stall no schedule change. The app's connections prepare the statements they repeat (Npgsql's Max Auto Prepare)."
                : $"{Writers} writers × {RoundsPerWriter} measured rounds after {WarmUpRounds} unmeasured ones (cancel one booked appointment, book one new), each through AppointmentService with its own context and a BEGIN IMMEDIATE transaction, the writers queueing for it first come, first served (SqliteWriterQueue); WAL journal, busy_timeout 10 s for a writer in another process.");

        Assert.Equal(0, lockedErrors);
        Assert.Empty(otherErrors);
    }
}
