using System.Diagnostics;
using Bunit;
using ClinicBlazor.Features.Calendar;
using ClinicBlazor.Tests.Features.Calendar;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
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
            Quiesce();
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
            Quiesce();
            var stopwatch = Stopwatch.StartNew();
            live.Render(parameters => parameters.Add(p => p.Appointments, changed));
            stopwatch.Stop();
            if (i >= Warmup)
            {
                update.Add(stopwatch.Elapsed.TotalMilliseconds);
            }
        }

        Report("Week view, first render in bUnit (1,600 blocks)", firstRender);
        Report("Week view, re-render in bUnit after one change", update);
    }

    [Fact]
    public async Task Working_week_of_20_practitioners_with_1600_appointments_rendered_to_HTML()
    {
        // The same grid through ASP.NET Core's own HtmlRenderer (what prerendering does), without
        // bUnit's DOM parsing on top.
        var setup = CalendarGridData.Setup(practitioners: 20);
        var week = CalendarGridData.BusyWeek(setup);
        await using var services = new ServiceCollection().BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, NullLoggerFactory.Instance);
        var parameters = ParameterView.FromDictionary(new Dictionary<string, object?>
        {
            [nameof(CalendarGrid.Setup)] = setup,
            [nameof(CalendarGrid.Days)] = CalendarGridData.WorkingWeek,
            [nameof(CalendarGrid.Practitioners)] = setup.Practitioners,
            [nameof(CalendarGrid.Appointments)] = week,
            [nameof(CalendarGrid.Today)] = CalendarGridData.Monday,
        });

        var timings = new List<double>();
        var length = 0;
        for (var i = 0; i < Warmup + Iterations; i++)
        {
            Quiesce();
            var stopwatch = Stopwatch.StartNew();
            var html = await renderer.Dispatcher.InvokeAsync(async () => (await renderer.RenderComponentAsync<CalendarGrid>(parameters)).ToHtmlString());
            stopwatch.Stop();
            length = html.Length;
            if (i >= Warmup)
            {
                timings.Add(stopwatch.Elapsed.TotalMilliseconds);
            }
        }

        Assert.True(length > 100_000, "The grid rendered its 1,600 blocks.");
        Report("Week view, server-side render to HTML (1,600 blocks)", timings);
    }

    /// <summary>Each timed run starts from a collected heap, so one run's garbage is not billed to the next.</summary>
    private static void Quiesce()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
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
