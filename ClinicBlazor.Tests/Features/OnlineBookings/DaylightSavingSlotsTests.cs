using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.OnlineBookings;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ClinicBlazor.Tests.Features.OnlineBookings;

/// <summary>
/// The two days Sydney's clocks change, through the real slot computation: a practitioner who works
/// 01:00–05:00 local gets every real half-hour, none twice and none lost.
/// </summary>
public sealed class DaylightSavingSlotsTests
{
    public static TheoryData<string, string, int> ChangeDays() => new()
    {
        // Sunday 4 April 2027: 03:00 AEDT → 02:00 AEST; 01:00 local is 14:00 UTC the day before; 5 real hours.
        { "2027-04-04", "2027-04-03T14:00:00Z", 5 },
        // Sunday 3 October 2027: 02:00 AEST → 03:00 AEDT; 01:00 local is 15:00 UTC the day before; 3 real hours.
        { "2027-10-03", "2027-10-02T15:00:00Z", 3 },
    };

    [Theory]
    [MemberData(nameof(ChangeDays))]
    public async Task Night_shift_practitioner_gets_every_real_half_hour_on_a_clock_change_day(string day, string firstSlotUtc, int realHours)
    {
        var date = DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture);
        await using var app = new ClinicAppFactory { Clock = new FakeTimeProvider(new DateTimeOffset(date.AddDays(-3).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)) };
        int practitionerId;
        int typeId;
        await using (var db = await app.CreateDbContextAsync())
        {
            var practitioner = await db.Set<Practitioner>().OrderBy(p => p.Id).FirstAsync();
            practitionerId = practitioner.Id;
            db.RemoveRange(db.Set<PractitionerWorkingHours>().Where(h => h.PractitionerId == practitionerId));
            db.Add(new PractitionerWorkingHours { PractitionerId = practitionerId, Day = DayOfWeek.Sunday, Start = new TimeOnly(1, 0), End = new TimeOnly(5, 0) });
            var type = new AppointmentType { Name = "Night check", DurationMinutes = 30, BookableOnline = true };
            db.Add(type);
            await db.SaveChangesAsync();
            typeId = type.Id;
        }

        await using var scope = app.AnonymousScope();
        var slots = await scope.ServiceProvider.GetRequiredService<OnlineBookingService>().GetSlotsAsync(practitionerId, typeId, date);

        var first = DateTime.Parse(firstSlotUtc, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
        // Every 15 minutes of real time at which a 30-minute appointment still ends by 05:00 local.
        var step = OnlineSlots.SlotStep;
        var expected = Enumerable.Range(0, (int)((TimeSpan.FromHours(realHours) - TimeSpan.FromMinutes(30)) / step) + 1).Select(i => first + (step * i));
        Assert.Equal(expected, slots.Select(s => s.StartUtc));
        Assert.Equal(slots.Count, slots.Select(s => s.StartUtc).Distinct().Count());
        Assert.All(slots, slot => Assert.Equal(DateTimeKind.Utc, slot.StartUtc.Kind));
    }
}
