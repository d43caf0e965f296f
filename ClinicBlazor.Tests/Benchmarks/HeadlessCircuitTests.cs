using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using ClinicBlazor.Features.Diagnostics;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>
/// The capacity benchmark's headless circuit client against the real app on Kestrel: a circuit that renders the
/// calendar and answers a click, so the benchmark cannot measure circuits that render nothing.
/// </summary>
public sealed class HeadlessCircuitTests
{
    [Fact]
    public async Task A_headless_circuit_renders_the_calendar_and_its_Next_click()
    {
        await using var app = new ClinicAppFactory().With("Benchmark:CircuitProbe", "true");
        var day = await WorkingDayAsync(app);
        using var staff = new SignInClient(app.ServerAddress);
        using var signedIn = await staff.SignInAsync(DemoSignIns.Receptionist.Email, DemoSignIns.Receptionist.Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);

        var page = new Uri(app.ServerAddress, $"/calendar?view=day&date={day:yyyy-MM-dd}");
        var circuit = await HeadlessCircuit.OpenAsync(staff.Http, staff.Handler.CookieContainer, page, CalendarIsInteractive, keepText: true);
        await using (circuit)
        {
            // The interactive render (not the prerendered HTML) carries the day's practitioners and the range header.
            var practitioner = DemoSignIns.Practitioner.DisplayName;
            Assert.Contains(circuit.RenderedText, text => text.Contains(practitioner, StringComparison.Ordinal));
            Assert.Contains(circuit.JsIdentifiers, identifier => identifier == "Blazor._internal.attachWebRendererInterop");
            Assert.True(circuit.JsCallsAnswered > 0, "The circuit asked for no JS interop: the client answered nothing.");
            Assert.Null(circuit.Error);
            var probe = await staff.Http.GetFromJsonAsync<Probe>(CircuitProbeExtensions.Path);
            Assert.Equal(1, probe!.Open);

            var next = NextWorkingDay(day);
            var title = Title(next);
            var elapsed = await circuit.ClickAsync("Next", strings => strings.Contains(title));

            Assert.True(elapsed > TimeSpan.Zero);
            Assert.Contains(title, circuit.RenderedText);
            Assert.Contains($"date={next:yyyy-MM-dd}", circuit.Location.Query, StringComparison.Ordinal);
            Assert.Null(circuit.Error);
        }

        // Closing disposes the circuit on the server at once (the disconnect POST a closing tab sends).
        var deadline = Deadline.In(TimeSpan.FromSeconds(30));
        int open;
        while ((open = (await staff.Http.GetFromJsonAsync<Probe>(CircuitProbeExtensions.Path))!.Open) != 0 && !deadline.Passed)
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, open);
    }

    [Fact]
    public async Task The_circuit_probe_is_not_there_unless_the_benchmark_switches_it_on()
    {
        await using var app = new ClinicAppFactory();
        using var staff = new SignInClient(app.ServerAddress);
        using var signedIn = await staff.SignInAsync(DemoSignIns.Admin.Email, DemoSignIns.Admin.Password);

        using var response = await staff.Http.GetAsync(CircuitProbeExtensions.Path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>The calendar's grid and its Next button have been rendered by the circuit.</summary>
    public static bool CalendarIsInteractive(HeadlessCircuit circuit) => circuit.HasTestId("calendar-grid") && circuit.HasButton("Next");

    /// <summary>The range header of the Day view (CalendarPage's RangeTitle).</summary>
    public static string Title(DateOnly day) => day.ToString("dddd d MMMM yyyy", CultureInfo.InvariantCulture);

    public static DateOnly NextWorkingDay(DateOnly day)
    {
        do
        {
            day = day.AddDays(1);
        }
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
        return day;
    }

    /// <summary>Today in the clinic's zone, or the next working day when today is a weekend.</summary>
    private static async Task<DateOnly> WorkingDayAsync(ClinicAppFactory app)
    {
        await using var db = await app.CreateDbContextAsync();
        var clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync();
        var today = DateOnly.FromDateTime(clinic.ToLocal(app.UtcNow));
        return today.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? NextWorkingDay(today) : today;
    }

    private sealed record Probe(int Open, int Connected);
}
