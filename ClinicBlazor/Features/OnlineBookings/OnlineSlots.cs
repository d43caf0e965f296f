using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.OnlineBookings;

/// <summary>
/// The times a patient may book online: practitioners offered online, a type bookable online, inside
/// working hours and the clinic's horizon, not taken. The public page lists them, and a booking made
/// online checks its slot against them again inside its transaction.
/// </summary>
public sealed class OnlineSlots(AvailabilityService availability, TimeProvider clock)
{
    public static readonly TimeSpan SlotStep = TimeSpan.FromMinutes(15);

    /// <summary>Free slots on one clinic-local day, for one practitioner or any (null), read through <paramref name="db"/>.</summary>
    public async Task<IReadOnlyList<OfferedSlot>> FreeAsync(ClinicDbContext db, int? practitionerId, int appointmentTypeId, DateOnly day, CancellationToken cancellationToken)
    {
        var clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync(cancellationToken);
        var type = await db.Set<AppointmentType>().AsNoTracking()
            .SingleOrDefaultAsync(t => t.Id == appointmentTypeId && t.BookableOnline && !t.IsArchived, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(clinic.ToLocal(now));
        if (type is null || !clinic.OnlineBookingEnabled || day < today || day > today.AddDays(clinic.OnlineBookingHorizonDays))
        {
            return [];
        }

        var practitioners = await db.Set<Practitioner>().AsNoTracking()
            .Where(p => p.IsActive && p.OfferedOnline && (practitionerId == null || p.Id == practitionerId))
            .OrderBy(p => p.SortOrder)
            .Select(p => new { p.Id, p.DisplayName })
            .ToListAsync(cancellationToken);
        var ids = practitioners.Select(p => p.Id).ToList();
        var zone = clinic.TimeZone;
        var dayStartUtc = ClinicClock.StartToUtc(day, TimeOnly.MinValue, zone);
        var dayEndUtc = ClinicClock.StartToUtc(day.AddDays(1), TimeOnly.MinValue, zone);
        var bookings = await db.Set<Appointment>().AsNoTracking()
            .Where(a => ids.Contains(a.PractitionerId) && a.Status == AppointmentStatus.Booked && a.StartUtc < dayEndUtc && a.EndUtc > dayStartUtc)
            .Select(a => new { a.PractitionerId, a.StartUtc, a.EndUtc })
            .ToListAsync(cancellationToken);
        var periods = await availability.GetWorkingWindowsAsync(ids, day, day, cancellationToken);
        var slots = new List<OfferedSlot>();
        foreach (var practitioner in practitioners)
        {
            var busy = bookings.Where(b => b.PractitionerId == practitioner.Id).Select(b => new UtcInterval(b.StartUtc, b.EndUtc)).ToList();
            var starts = SlotCalculator.FreeStarts(periods[practitioner.Id][day], busy, TimeSpan.FromMinutes(type.DurationMinutes), SlotStep, now, DateTime.MaxValue);
            slots.AddRange(starts.Select(start => new OfferedSlot(practitioner.Id, practitioner.DisplayName, start, clinic.ToLocal(start))));
        }

        // "Any practitioner" offers each time once, with the first practitioner free then.
        var ordered = slots.OrderBy(s => s.StartUtc).ThenBy(s => ids.IndexOf(s.PractitionerId));
        return practitionerId is null ? [.. ordered.DistinctBy(s => s.StartUtc)] : [.. ordered];
    }
}
