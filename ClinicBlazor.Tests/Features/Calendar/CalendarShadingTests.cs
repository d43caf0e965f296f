using Bunit;
using ClinicBlazor.Features.Calendar;

namespace ClinicBlazor.Tests.Features.Calendar;

/// <summary>Working hours and time off shade the grid; online bookings carry their marker.</summary>
public sealed class CalendarShadingTests : IAsyncLifetime
{
    private readonly BunitContext context = new();

    public CalendarShadingTests()
    {
        context.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    private static CalendarAvailability PriyaWorksTomIsAway(CalendarSetup setup) => new(new Dictionary<(int PractitionerId, DateOnly Day), WorkingDay>
    {
        // 08:30–17:30 local.
        [(setup.Practitioners[0].Id, CalendarGridData.Monday)] = new([new MinuteRange(8 * 60 + 30, 17 * 60 + 30)], IsTimeOff: false),
        [(setup.Practitioners[1].Id, CalendarGridData.Monday)] = new([], IsTimeOff: true),
    });

    [Fact]
    public void Working_hours_and_time_off_shade_the_grid_outside_the_working_windows()
    {
        var setup = CalendarGridData.Setup(practitioners: 3);

        var grid = context.Render<CalendarGrid>(parameters => parameters
            .Add(p => p.Setup, setup)
            .Add(p => p.Days, [CalendarGridData.Monday])
            .Add(p => p.Practitioners, setup.Practitioners)
            .Add(p => p.Appointments, [])
            .Add(p => p.Availability, PriyaWorksTomIsAway(setup)));

        // Rows: 2 header rows, then one per 5 minutes from 08:00 to 18:00 (rows 3–122, the grid ends at line 123).
        // Working 08:30–17:30: shaded 08:00–08:30 (rows 3 / 9) and 17:30–18:00 (rows 117 / 123), in column 2.
        var working = grid.FindAll(".cal-shade[data-practitioner-id='1'][data-day='2026-11-23']");
        Assert.Equal(["grid-column: 2; grid-row: 3 / 9;", "grid-column: 2; grid-row: 117 / 123;"], working.Select(s => s.GetAttribute("style")));
        Assert.All(working, s => Assert.Equal("out-of-hours", s.GetAttribute("data-shade")));
        Assert.All(working, s => Assert.Empty(s.TextContent.Trim()));

        // On time off: the whole day shaded, labelled.
        var away = Assert.Single(grid.FindAll(".cal-shade[data-practitioner-id='2']"));
        Assert.Equal("grid-column: 3; grid-row: 3 / 123;", away.GetAttribute("style"));
        Assert.Equal("time-off", away.GetAttribute("data-shade"));
        Assert.Equal("Time off", away.TextContent.Trim());

        // Nothing read for the third practitioner: nothing shaded.
        Assert.Empty(grid.FindAll(".cal-shade[data-practitioner-id='3']"));
    }

    [Fact]
    public void A_day_with_two_working_periods_is_shaded_before_between_and_after_them()
    {
        var setup = CalendarGridData.Setup(practitioners: 1);
        var availability = new CalendarAvailability(new Dictionary<(int PractitionerId, DateOnly Day), WorkingDay>
        {
            // 09:00–12:00 and 13:00–17:00; a second day with no hours at all (a day off, not time off).
            [(1, CalendarGridData.Monday)] = new([new MinuteRange(13 * 60, 17 * 60), new MinuteRange(9 * 60, 12 * 60)], IsTimeOff: false),
            [(1, CalendarGridData.Monday.AddDays(1))] = new([], IsTimeOff: false),
        });

        var grid = context.Render<CalendarGrid>(parameters => parameters
            .Add(p => p.Setup, setup)
            .Add(p => p.Days, [CalendarGridData.Monday, CalendarGridData.Monday.AddDays(1)])
            .Add(p => p.Practitioners, setup.Practitioners)
            .Add(p => p.Appointments, [])
            .Add(p => p.Availability, availability));

        Assert.Equal(
            ["grid-row: 3 / 15;", "grid-row: 51 / 63;", "grid-row: 111 / 123;"],
            grid.FindAll(".cal-shade[data-day='2026-11-23']").Select(s => s.GetAttribute("style")!.Split("; ", 2)[1]));
        var dayOff = Assert.Single(grid.FindAll(".cal-shade[data-day='2026-11-24']"));
        Assert.Equal("grid-column: 3; grid-row: 3 / 123;", dayOff.GetAttribute("style"));
        Assert.Equal("out-of-hours", dayOff.GetAttribute("data-shade"));
    }

    [Fact]
    public void The_shading_is_not_rendered_again_when_an_appointment_changes()
    {
        var setup = CalendarGridData.Setup(practitioners: 3);
        var availability = PriyaWorksTomIsAway(setup);
        var appointment = CalendarGridData.Appointment(setup, 1, 1, CalendarGridData.Monday, new TimeOnly(9, 0), 30);
        var grid = context.Render<CalendarGrid>(parameters => parameters
            .Add(p => p.Setup, setup)
            .Add(p => p.Days, [CalendarGridData.Monday])
            .Add(p => p.Practitioners, setup.Practitioners)
            .Add(p => p.Appointments, [appointment])
            .Add(p => p.Availability, availability));

        grid.Render(parameters => parameters.Add(p => p.Appointments, [appointment with { IsCancelled = true }]));

        Assert.Equal(1, grid.FindComponent<AvailabilityShading>().RenderCount);
        Assert.Equal("true", grid.Find("[data-appointment-id='1']").GetAttribute("data-cancelled"));
    }

    [Fact]
    public void An_online_booking_shows_the_booked_online_marker_and_others_do_not()
    {
        var setup = CalendarGridData.Setup();
        var online = CalendarGridData.Appointment(setup, 1, 1, CalendarGridData.Monday, new TimeOnly(9, 0), 30) with { BookedOnline = true };
        var byPhone = CalendarGridData.Appointment(setup, 2, 2, CalendarGridData.Monday, new TimeOnly(9, 0), 30);

        var grid = context.Render<CalendarGrid>(parameters => parameters
            .Add(p => p.Setup, setup)
            .Add(p => p.Days, CalendarGridData.WorkingWeek)
            .Add(p => p.Practitioners, setup.Practitioners)
            .Add(p => p.Appointments, [online, byPhone]));

        var block = grid.Find("[data-appointment-id='1']");
        var marker = block.QuerySelector("[data-testid='booked-online']");
        Assert.NotNull(marker);
        Assert.Equal("Booked online", marker.GetAttribute("aria-label"));
        Assert.Contains("Booked online", marker.TextContent, StringComparison.Ordinal);
        Assert.EndsWith(", booked online", block.GetAttribute("title"), StringComparison.Ordinal);
        Assert.Null(grid.Find("[data-appointment-id='2']").QuerySelector("[data-testid='booked-online']"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await context.DisposeAsync();
}
