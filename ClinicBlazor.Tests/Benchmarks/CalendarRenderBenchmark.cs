using System.Diagnostics;
using Bunit;
using ClinicBlazor.Features.Calendar;
using ClinicBlazor.Tests.Features.Calendar;
using Xunit.Abstractions;

namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>
/// Server-side render of the busy working week: 20 practitioners × 5 days × 16 appointments (1,600
/// blocks). Prints p50/p95; asserts only that the grid rendered, never a time (run by ./test.sh --bench).
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class CalendarRenderBenchmark(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Warmup = 5;
    private const int Iterations = 40;
    private readonly BunitContext context = new();

    [Fact]
    public async Task Working_week_of_20_practitioners_with_1600_appointments()
    {
        var setup = CalendarGridData.Setup(practitioners: 20);
        var week = CalendarGridData.BusyWeek(setup);
        Assert.Equal(1600, week.Count);

        var firstRender = new List<double>();
        for (var i = 0; i < Warmup + Iterations; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            var grid = Render(setup, week);
            stopwatch.Stop();
            Assert.Equal(1600, grid.FindComponents<AppointmentBlock>().Count);
            if (i >= Warmup)
            {
                firstRender.Add(stopwatch.Elapsed.TotalMilliseconds);
            }

            await context.DisposeComponentsAsync();
        }

        // A live update: one appointment cancelled, the same grid renders again.
        var live = Render(setup, week);
        var update = new List<double>();
        for (var i = 0; i < Warmup + Iterations; i++)
        {
            var changed = week.ToList();
            changed[i] = changed[i] with { IsCancelled = !changed[i].IsCancelled };
            var stopwatch = Stopwatch.StartNew();
            live.Render(parameters => parameters.Add(p => p.Appointments, changed));
            stopwatch.Stop();
            if (i >= Warmup)
            {
                update.Add(stopwatch.Elapsed.TotalMilliseconds);
            }
        }

        Report("Week view, first render (1,600 blocks)", firstRender);
        Report("Week view, re-render after one change", update);
    }

    private IRenderedComponent<CalendarGrid> Render(CalendarSetup setup, IReadOnlyList<CalendarAppointment> appointments) =>
        context.Render<CalendarGrid>(parameters => parameters
            .Add(p => p.Setup, setup)
            .Add(p => p.Days, CalendarGridData.WorkingWeek)
            .Add(p => p.Practitioners, setup.Practitioners)
            .Add(p => p.Appointments, appointments)
            .Add(p => p.Today, CalendarGridData.Monday));

    private void Report(string what, List<double> milliseconds)
    {
        milliseconds.Sort();
        var line = $"{what}: p50 {Percentile(milliseconds, 0.50):F1} ms, p95 {Percentile(milliseconds, 0.95):F1} ms ({milliseconds.Count} runs)";
        output.WriteLine(line);
        Console.WriteLine(line);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Ceiling(p * sorted.Count) - 1];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await context.DisposeAsync();
}
