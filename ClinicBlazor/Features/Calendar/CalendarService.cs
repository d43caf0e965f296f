using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Calendar;

/// <summary>A practitioner as a calendar column.</summary>
public sealed record CalendarPractitioner(int Id, string DisplayName, string Title);

/// <summary>An appointment type as the booking dialog offers it.</summary>
public sealed record CalendarAppointmentType(int Id, string Name, int DurationMinutes, string Color);

/// <summary>One appointment block on the calendar: everything the block shows, nothing it does not.</summary>
public sealed record CalendarAppointment(
    int Id,
    int PractitionerId,
    int PatientId,
    string PatientName,
    int AppointmentTypeId,
    string TypeName,
    string Color,
    DateTime StartUtc,
    DateTime EndUtc,
    bool IsCancelled,
    CancellationReason? CancellationReason,
    Guid Version,
    bool BookedOnline = false);

/// <summary>An appointment opened in the appointment dialog.</summary>
public sealed record AppointmentDetails(
    int Id,
    int PractitionerId,
    string PractitionerName,
    int PatientId,
    string PatientName,
    string PatientEmail,
    string PatientMobile,
    string TypeName,
    string Color,
    DateTime StartUtc,
    DateTime EndUtc,
    bool IsCancelled,
    DateTime? CancelledAtUtc,
    string? CancelledByName,
    CancellationReason? CancellationReason,
    string? CancellationNote,
    bool BookedOnline,
    Guid Version);

/// <summary>What the calendar needs once per visit: the clinic (time zone, hours), columns and types.</summary>
public sealed record CalendarSetup(
    string TimeZoneId,
    IReadOnlyList<BusinessHoursView> BusinessHours,
    IReadOnlyList<CalendarPractitioner> Practitioners,
    IReadOnlyList<CalendarAppointmentType> AppointmentTypes,
    TimeFormat TimeFormat = TimeFormat.TwentyFourHour)
{
    /// <summary>A time as the clinic writes it: "14:30" or "2:30 pm".</summary>
    public string Time(DateTime local) => TimeFormat.Time(local);

    public string Time(TimeOnly local) => TimeFormat.Time(local);

    public TimeZoneInfo TimeZone => TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);

    public DateTime ToLocal(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(utc, TimeZone);

    public DateTime ToUtc(DateTime local) => TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), TimeZone);
}

public sealed record BusinessHoursView(DayOfWeek Day, TimeOnly Opens, TimeOnly Closes);

/// <summary>Reads for the calendar: no-tracking projections, one query per view change.</summary>
public sealed class CalendarService(IDbContextFactory<ClinicDbContext> dbFactory, ClinicAuthorization authorization, AvailabilityService availability)
{
    public async Task<CalendarSetup> GetSetupAsync(CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.UseCalendar);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var clinic = await db.Set<Clinic>().AsNoTracking().Include(c => c.BusinessHours)
            .SingleAsync(c => c.Id == Clinic.SingletonId, cancellationToken);
        var practitioners = await db.Set<Practitioner>().AsNoTracking()
            .Where(p => p.IsActive)
            .OrderBy(p => p.SortOrder).ThenBy(p => p.DisplayName)
            .Select(p => new CalendarPractitioner(p.Id, p.DisplayName, p.Title))
            .ToListAsync(cancellationToken);
        var types = await db.Set<AppointmentType>().AsNoTracking()
            .Where(t => !t.IsArchived)
            .OrderBy(t => t.Name)
            .Select(t => new CalendarAppointmentType(t.Id, t.Name, t.DurationMinutes, t.Color))
            .ToListAsync(cancellationToken);
        var hours = clinic.BusinessHours.Select(h => new BusinessHoursView(h.Day, h.Opens, h.Closes)).OrderBy(h => h.Day).ToList();
        return new CalendarSetup(clinic.TimeZoneId, hours, practitioners, types, clinic.TimeFormat);
    }

    /// <summary>Every appointment (cancelled ones too) starting in [fromUtc, toUtc), in one query.</summary>
    public async Task<IReadOnlyList<CalendarAppointment>> GetAppointmentsAsync(DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.UseCalendar);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<Appointment>().AsNoTracking()
            .Where(a => a.StartUtc >= fromUtc && a.StartUtc < toUtc)
            .OrderBy(a => a.StartUtc)
            .Select(a => new CalendarAppointment(
                a.Id,
                a.PractitionerId,
                a.PatientId,
                a.Patient!.FirstName + " " + a.Patient.LastName,
                a.AppointmentTypeId,
                a.AppointmentType!.Name,
                a.AppointmentType.Color,
                a.StartUtc,
                a.EndUtc,
                a.Status == AppointmentStatus.Cancelled,
                a.CancellationReason,
                a.Version,
                a.BookedOnline))
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Every practitioner's working day over local dates <paramref name="first"/>..<paramref name="last"/>:
    /// one batch read of working hours and time off, in the clinic's local minutes, for shading the grid.
    /// </summary>
    public async Task<CalendarAvailability> GetAvailabilityAsync(CalendarSetup setup, DateOnly first, DateOnly last, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.UseCalendar);
        var ids = setup.Practitioners.Select(p => p.Id).ToList();
        var windows = await availability.GetWorkingWindowsAsync(ids, first, last, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var timeOff = await db.Set<PractitionerTimeOff>().AsNoTracking()
            .Where(t => ids.Contains(t.PractitionerId) && t.StartDate <= last && t.EndDate >= first)
            .Select(t => new { t.PractitionerId, t.StartDate, t.EndDate })
            .ToListAsync(cancellationToken);

        var zone = setup.TimeZone;
        var days = new Dictionary<(int PractitionerId, DateOnly Day), WorkingDay>();
        foreach (var (practitionerId, byDate) in windows)
        {
            foreach (var (date, utcWindows) in byDate)
            {
                var away = timeOff.Any(t => t.PractitionerId == practitionerId && t.StartDate <= date && date <= t.EndDate);
                days[(practitionerId, date)] = new WorkingDay(utcWindows.Select(w => LocalMinutes(zone, date, w)).ToList(), away);
            }
        }

        return new CalendarAvailability(days);
    }

    /// <summary>Null when the appointment lies inside the practitioner's working hours, otherwise the warning to show before saving.</summary>
    public async Task<string?> WorkingHoursWarningAsync(CalendarPractitioner practitioner, DateTime startUtc, DateTime endUtc, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.UseCalendar);
        return await availability.IsWithinWorkingHoursAsync(practitioner.Id, startUtc, endUtc, cancellationToken)
            ? null
            : OutsideWorkingHours(practitioner.DisplayName);
    }

    /// <summary>The warning for booking or moving someone outside their hours: allowed, but said first.</summary>
    public static string OutsideWorkingHours(string practitionerName) => $"Outside {practitionerName}'s working hours";

    private static MinuteRange LocalMinutes(TimeZoneInfo zone, DateOnly date, UtcInterval window)
    {
        // A window reaching past midnight either side is cut at this day's edges.
        var start = TimeZoneInfo.ConvertTimeFromUtc(window.StartUtc, zone);
        var end = TimeZoneInfo.ConvertTimeFromUtc(window.EndUtc, zone);
        var startMinute = DateOnly.FromDateTime(start) < date ? 0 : start.Hour * 60 + start.Minute;
        var endMinute = DateOnly.FromDateTime(end) > date ? 24 * 60 : end.Hour * 60 + end.Minute;
        return new MinuteRange(startMinute, endMinute);
    }

    public async Task<AppointmentDetails?> GetDetailsAsync(int appointmentId, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.UseCalendar);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<Appointment>().AsNoTracking()
            .Where(a => a.Id == appointmentId)
            .Select(a => new AppointmentDetails(
                a.Id,
                a.PractitionerId,
                a.Practitioner!.DisplayName,
                a.PatientId,
                a.Patient!.FirstName + " " + a.Patient.LastName,
                a.Patient.Email,
                a.Patient.MobileE164,
                a.AppointmentType!.Name,
                a.AppointmentType.Color,
                a.StartUtc,
                a.EndUtc,
                a.Status == AppointmentStatus.Cancelled,
                a.CancelledAtUtc,
                a.CancelledByName,
                a.CancellationReason,
                a.CancellationNote,
                a.BookedOnline,
                a.Version))
            .SingleOrDefaultAsync(cancellationToken);
    }
}

public static class CalendarExtensions
{
    public static WebApplicationBuilder AddCalendar(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<CalendarService>();
        builder.Services.AddScoped<CalendarPreferencesService>();
        builder.Services.AddScoped<ClinicBlazor.Components.Layout.BrowserHelpers>();
        builder.Services.AddScoped<AppointmentActions>();
        return builder;
    }
}
