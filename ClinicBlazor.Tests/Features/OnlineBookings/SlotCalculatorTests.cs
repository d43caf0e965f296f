using ClinicBlazor.Features.OnlineBookings;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;

namespace ClinicBlazor.Tests.Features.OnlineBookings;

public sealed class SlotCalculatorTests
{
    private static readonly TimeZoneInfo Sydney = TimeZoneInfo.FindSystemTimeZoneById("Australia/Sydney");
    private static readonly DateTime Day = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);

    private static DateTime At(int hour, int minute = 0) => Day.AddHours(hour).AddMinutes(minute);

    [Fact]
    public void Slots_step_through_the_working_period_and_the_last_one_ends_at_its_end()
    {
        var starts = SlotCalculator.FreeStarts([new UtcInterval(At(9), At(11))], [], TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(30), DateTime.MinValue, DateTime.MaxValue);

        Assert.Equal([At(9), At(9, 30), At(10), At(10, 30)], starts);
    }

    [Fact]
    public void Existing_bookings_remove_every_overlapping_start_but_touching_ones_stay()
    {
        var busy = new[] { new UtcInterval(At(10), At(10, 45)) };

        var starts = SlotCalculator.FreeStarts([new UtcInterval(At(9), At(12))], busy, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(15), DateTime.MinValue, DateTime.MaxValue);

        Assert.Contains(At(9, 30), starts);
        Assert.DoesNotContain(At(9, 45), starts);
        Assert.DoesNotContain(At(10, 30), starts);
        Assert.Contains(At(10, 45), starts);
    }

    [Fact]
    public void A_longer_appointment_type_gets_fewer_starts()
    {
        var periods = new[] { new UtcInterval(At(9), At(10)) };

        var thirty = SlotCalculator.FreeStarts(periods, [], TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(15), DateTime.MinValue, DateTime.MaxValue);
        var sixty = SlotCalculator.FreeStarts(periods, [], TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(15), DateTime.MinValue, DateTime.MaxValue);

        Assert.Equal(3, thirty.Count);
        Assert.Equal([At(9)], sixty);
    }

    [Fact]
    public void Time_off_is_busy_and_two_periods_in_a_day_both_count()
    {
        var periods = new[] { new UtcInterval(At(8), At(10)), new UtcInterval(At(13), At(14)) };
        var timeOff = new[] { new UtcInterval(At(8), At(9, 30)) };

        var starts = SlotCalculator.FreeStarts(periods, timeOff, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(30), DateTime.MinValue, DateTime.MaxValue);

        Assert.Equal([At(9, 30), At(13), At(13, 30)], starts);
    }

    [Fact]
    public void Starts_before_now_or_after_the_horizon_are_not_offered()
    {
        var starts = SlotCalculator.FreeStarts([new UtcInterval(At(9), At(12))], [], TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(30), At(10), At(11));

        Assert.Equal([At(10), At(10, 30), At(11)], starts);
    }

    [Fact]
    public void Spring_forward_day_in_Sydney_keeps_every_real_half_hour_from_one_to_five()
    {
        // Sunday 4 October 2026: 02:00 AEST becomes 03:00 AEDT.
        var day = new DateOnly(2026, 10, 4);
        var period = new UtcInterval(ClinicClock.StartToUtc(day, new TimeOnly(1, 0), Sydney), ClinicClock.EndToUtc(day, new TimeOnly(5, 0), Sydney));

        var starts = SlotCalculator.FreeStarts([period], [], TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(30), DateTime.MinValue, DateTime.MaxValue);

        var utc = new DateTime(2026, 10, 3, 15, 0, 0, DateTimeKind.Utc);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => utc.AddMinutes(30 * i)), starts);
        Assert.Equal(["01:00", "01:30", "03:00", "03:30", "04:00", "04:30"], starts.Select(s => Local(s)));
        Assert.Equal(starts.Count, starts.Distinct().Count());
    }

    [Fact]
    public void Fall_back_day_in_Sydney_offers_the_repeated_hour_twice_as_different_instants()
    {
        // Sunday 5 April 2026: 03:00 AEDT becomes 02:00 AEST, so 02:00–03:00 happens twice.
        var day = new DateOnly(2026, 4, 5);
        var period = new UtcInterval(ClinicClock.StartToUtc(day, new TimeOnly(1, 0), Sydney), ClinicClock.EndToUtc(day, new TimeOnly(5, 0), Sydney));

        var starts = SlotCalculator.FreeStarts([period], [], TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(30), DateTime.MinValue, DateTime.MaxValue);

        var utc = new DateTime(2026, 4, 4, 14, 0, 0, DateTimeKind.Utc);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => utc.AddMinutes(30 * i)), starts);
        Assert.Equal(["01:00", "01:30", "02:00", "02:30", "02:00", "02:30", "03:00", "03:30", "04:00", "04:30"], starts.Select(s => Local(s)));
        Assert.Equal(starts.Count, starts.Distinct().Count());
    }

    [Fact]
    public void Ordinary_day_converts_with_the_days_offset()
    {
        Assert.Equal(new DateTime(2026, 11, 24, 22, 0, 0, DateTimeKind.Utc), ClinicClock.StartToUtc(new DateOnly(2026, 11, 25), new TimeOnly(9, 0), Sydney));
        Assert.Equal(new DateTime(2026, 6, 24, 23, 0, 0, DateTimeKind.Utc), ClinicClock.StartToUtc(new DateOnly(2026, 6, 25), new TimeOnly(9, 0), Sydney));
    }

    private static string Local(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(utc, Sydney).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}
