using Bunit;
using ClinicBlazor.Features.Calendar;

namespace ClinicBlazor.Tests.Features.Calendar;

public sealed class CalendarGridTests : IAsyncLifetime
{
    private readonly BunitContext context = new();

    [Fact]
    public void Week_grid_places_a_10_30_to_11_15_appointment_in_its_practitioners_column_on_its_day_and_rows()
    {
        var setup = CalendarGridData.Setup(practitioners: 3);
        var wednesday = CalendarGridData.Monday.AddDays(2);
        var appointment = CalendarGridData.Appointment(setup, 7, practitionerId: 2, wednesday, new TimeOnly(10, 30), 45);

        var grid = context.Render<CalendarGrid>(parameters => parameters
            .Add(p => p.Setup, setup)
            .Add(p => p.Days, CalendarGridData.WorkingWeek)
            .Add(p => p.Practitioners, setup.Practitioners)
            .Add(p => p.Appointments, [appointment]));

        // Columns: 1 is the time axis, then 3 practitioners per day: Wednesday's second practitioner is 2 + 2×3 + 1 = 9.
        var column = grid.Find("[data-day='2026-11-25'][data-practitioner-id='2']");
        Assert.Contains("grid-column: 9;", column.GetAttribute("style"), StringComparison.Ordinal);
        // Rows: 2 header rows, then one per 5 minutes from 08:00: 10:30 is row 3 + 150/5 = 33, 11:15 ends before row 3 + 195/5 = 42.
        var block = grid.Find("[data-appointment-id='7']");
        var style = block.GetAttribute("style");
        Assert.Contains("grid-column: 9;", style, StringComparison.Ordinal);
        Assert.Contains("grid-row: 33 / 42;", style, StringComparison.Ordinal);
        Assert.Contains("Jane Smith", block.TextContent, StringComparison.Ordinal);
        Assert.Contains("10:30–11:15", block.TextContent, StringComparison.Ordinal);
        Assert.Contains("Follow-up", block.TextContent, StringComparison.Ordinal);
        // Hours: a rail from row 3, one label per hour, each 12 rows (an hour) high, so 10:00 is the third.
        var hours = grid.FindAll(".cal-hour").Select(h => h.TextContent).ToList();
        Assert.Equal(2, hours.IndexOf("10:00"));
        Assert.Contains("height: 72px", grid.FindAll(".cal-hour")[2].GetAttribute("style"), StringComparison.Ordinal);
        Assert.Contains("grid-row: 3 /", grid.Find(".cal-time-rail").GetAttribute("style"), StringComparison.Ordinal);
    }

    [Fact]
    public void Cancelled_appointments_are_struck_through_or_hidden_by_the_toggle()
    {
        var setup = CalendarGridData.Setup();
        var cancelled = CalendarGridData.Appointment(setup, 3, 1, CalendarGridData.Monday, new TimeOnly(9, 0), 30, cancelled: true);

        var grid = context.Render<CalendarGrid>(parameters => parameters
            .Add(p => p.Setup, setup)
            .Add(p => p.Days, CalendarGridData.WorkingWeek)
            .Add(p => p.Practitioners, setup.Practitioners)
            .Add(p => p.Appointments, [cancelled]));
        Assert.Contains("cal-block-cancelled", grid.Find("[data-appointment-id='3']").ClassName, StringComparison.Ordinal);

        grid.Render(parameters => parameters.Add(p => p.ShowCancelled, false));

        Assert.Empty(grid.FindAll("[data-appointment-id='3']"));
    }

    [Fact]
    public void Today_is_highlighted_and_a_filtered_out_practitioner_has_no_column()
    {
        var setup = CalendarGridData.Setup(practitioners: 3);
        var grid = context.Render<CalendarGrid>(parameters => parameters
            .Add(p => p.Setup, setup)
            .Add(p => p.Days, CalendarGridData.WorkingWeek)
            .Add(p => p.Practitioners, setup.Practitioners.Where(p => p.Id != 3).ToList())
            .Add(p => p.Appointments, [])
            .Add(p => p.Today, CalendarGridData.Monday.AddDays(1)));

        var todayHeader = grid.Find(".cal-day-header.cal-today");
        Assert.Equal("2026-11-24", todayHeader.GetAttribute("data-day"));
        Assert.Equal("date", todayHeader.GetAttribute("aria-current"));
        Assert.Empty(grid.FindAll("[data-practitioner-id='3']"));
        Assert.Equal(10, grid.FindAll(".cal-column").Count);
    }

    [Fact]
    public void A_change_to_one_appointment_re_renders_only_that_block()
    {
        var setup = CalendarGridData.Setup();
        var first = CalendarGridData.Appointment(setup, 1, 1, CalendarGridData.Monday, new TimeOnly(9, 0), 30);
        var second = CalendarGridData.Appointment(setup, 2, 2, CalendarGridData.Monday, new TimeOnly(9, 0), 30);
        var grid = context.Render<CalendarGrid>(parameters => parameters
            .Add(p => p.Setup, setup)
            .Add(p => p.Days, CalendarGridData.WorkingWeek)
            .Add(p => p.Practitioners, setup.Practitioners)
            .Add(p => p.Appointments, [first, second]));

        grid.Render(parameters => parameters.Add(p => p.Appointments, [first, second with { IsCancelled = true }]));

        var blocks = grid.FindComponents<AppointmentBlock>();
        Assert.Equal(1, blocks.Single(b => b.Instance.Placed.Appointment.Id == 1).RenderCount);
        Assert.Equal(2, blocks.Single(b => b.Instance.Placed.Appointment.Id == 2).RenderCount);
        Assert.Equal("true", grid.Find("[data-appointment-id='2']").GetAttribute("data-cancelled"));
    }

    [Fact]
    public void Clicking_an_empty_slot_offers_that_practitioner_and_quarter_hour()
    {
        var setup = CalendarGridData.Setup();
        CalendarSlot? clicked = null;
        var grid = context.Render<CalendarGrid>(parameters => parameters
            .Add(p => p.Setup, setup)
            .Add(p => p.Days, CalendarGridData.WorkingWeek)
            .Add(p => p.Practitioners, setup.Practitioners)
            .Add(p => p.Appointments, [])
            .Add(p => p.OnSlotClick, slot => clicked = slot));

        // 2 h 40 min below 08:00 is 10:40, which falls in the 10:30 quarter.
        grid.Find("[data-day='2026-11-24'][data-practitioner-id='3']").Click(new Microsoft.AspNetCore.Components.Web.MouseEventArgs { OffsetY = 160 / 5.0 * CalendarGrid.RowHeightPixels });

        Assert.Equal(new CalendarSlot(3, new DateTime(2026, 11, 24, 10, 30, 0)), clicked);
    }

    [Fact]
    public void A_cancelled_appointment_under_a_new_booking_becomes_a_strip_and_the_booking_leaves_room()
    {
        var setup = CalendarGridData.Setup();
        var cancelled = CalendarGridData.Appointment(setup, 1, 1, CalendarGridData.Monday, new TimeOnly(9, 0), 30, cancelled: true);
        var booked = CalendarGridData.Appointment(setup, 2, 1, CalendarGridData.Monday, new TimeOnly(9, 0), 30);
        var alone = CalendarGridData.Appointment(setup, 3, 1, CalendarGridData.Monday, new TimeOnly(11, 0), 30, cancelled: true);
        var grid = context.Render<CalendarGrid>(parameters => parameters
            .Add(p => p.Setup, setup)
            .Add(p => p.Days, CalendarGridData.WorkingWeek)
            .Add(p => p.Practitioners, setup.Practitioners)
            .Add(p => p.Appointments, [cancelled, booked, alone]));

        var strip = grid.Find("[data-appointment-id='1']");
        Assert.Equal("true", strip.GetAttribute("data-strip"));
        Assert.StartsWith("Jane Smith 09:00–09:30", strip.GetAttribute("aria-label"), StringComparison.Ordinal);
        Assert.EndsWith(", cancelled", strip.GetAttribute("aria-label"), StringComparison.Ordinal);
        Assert.Contains("cal-block-beside-strips", grid.Find("[data-appointment-id='2']").ClassList);
        Assert.Null(grid.Find("[data-appointment-id='3']").GetAttribute("data-strip"));
    }

    [Fact]
    public void A_twelve_hour_clinic_sees_twelve_hour_times_on_the_grid()
    {
        var setup = CalendarGridData.Setup() with { TimeFormat = ClinicBlazor.Features.Settings.TimeFormat.TwelveHour };
        var appointment = CalendarGridData.Appointment(setup, 7, 1, CalendarGridData.Monday, new TimeOnly(13, 30), 45);
        var grid = context.Render<CalendarGrid>(parameters => parameters
            .Add(p => p.Setup, setup)
            .Add(p => p.Days, [CalendarGridData.Monday])
            .Add(p => p.Practitioners, setup.Practitioners)
            .Add(p => p.Appointments, [appointment]));

        Assert.Equal("8:00 am", grid.FindAll(".cal-hour")[0].TextContent);
        Assert.Contains("1:30 pm–2:15 pm", grid.Find("[data-appointment-id='7']").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Free_quarter_hours_are_buttons_that_book_and_one_per_lane_is_in_the_tab_order()
    {
        var setup = CalendarGridData.Setup(practitioners: 1);
        var nineOClock = CalendarGridData.Appointment(setup, 1, 1, CalendarGridData.Monday, new TimeOnly(8, 0), 30);
        CalendarSlot? chosen = null;
        var grid = context.Render<CalendarGrid>(parameters => parameters
            .Add(p => p.Setup, setup)
            .Add(p => p.Days, [CalendarGridData.Monday])
            .Add(p => p.Practitioners, setup.Practitioners)
            .Add(p => p.Appointments, [nineOClock])
            .Add(p => p.OnSlotClick, slot => chosen = slot));

        var slots = grid.FindAll(".cal-slot");
        Assert.Equal(40 - 2, slots.Count);
        Assert.Single(slots, s => s.GetAttribute("tabindex") == "0");
        Assert.Equal("Book 08:30 with Practitioner 1 on Mon 23 Nov", slots[0].GetAttribute("aria-label"));

        slots[0].Click();

        Assert.Equal(new CalendarSlot(1, new DateTime(2026, 11, 23, 8, 30, 0)), chosen);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await context.DisposeAsync();
}
