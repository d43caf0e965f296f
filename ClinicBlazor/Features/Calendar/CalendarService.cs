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
    Guid Version);

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
    IReadOnlyList<CalendarAppointmentType> AppointmentTypes)
{
    public TimeZoneInfo TimeZone => TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);

    public DateTime ToLocal(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(utc, TimeZone);

    public DateTime ToUtc(DateTime local) => TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), TimeZone);
}

public sealed record BusinessHoursView(DayOfWeek Day, TimeOnly Opens, TimeOnly Closes);

/// <summary>Reads for the calendar: no-tracking projections, one query per view change.</summary>
public sealed class CalendarService(IDbContextFactory<ClinicDbContext> dbFactory, ClinicAuthorization authorization)
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
        return new CalendarSetup(clinic.TimeZoneId, hours, practitioners, types);
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
                a.Version))
            .ToListAsync(cancellationToken);
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
        builder.Services.AddScoped<AppointmentActions>();
        return builder;
    }
}
