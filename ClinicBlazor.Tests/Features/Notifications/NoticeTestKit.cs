using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ClinicBlazor.Tests.Features.Notifications;

/// <summary>Set-up and look-ups shared by the notice tests (real app, real SQLite file).</summary>
internal static class NoticeTestKit
{
    /// <summary>Tue 24 Nov 2026 09:00 in Sydney.</summary>
    public static readonly DateTime Now = new(2026, 11, 23, 22, 0, 0, DateTimeKind.Utc);

    /// <summary>Thu 26 Nov 02:00 in Sydney: nothing of the demo clinic's is booked at night.</summary>
    public static readonly DateTime NightSlot = Now.AddHours(41);

    public static ClinicAppFactory NewApp(MaildevServer? maildev = null, int batchWindowSeconds = 60, bool fakeClock = true, DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        var app = ClinicAppFactory.On(provider).With("Notifications:BatchWindowSeconds", batchWindowSeconds.ToString());
        if (fakeClock)
        {
            app.Clock = new FakeTimeProvider(new DateTimeOffset(Now));
        }

        if (maildev is not null)
        {
            app.With("Notifications:Email:Smtp:Host", "127.0.0.1")
                .With("Notifications:Email:Smtp:Port", maildev.SmtpPort.ToString())
                .With("Notifications:Email:Smtp:Security", "None")
                .With("Notifications:Email:Smtp:FromAddress", "notices@harbourside.example");
        }

        return app;
    }

    /// <summary>Maildev up and empty, then the app started against it (its host is built on first use).</summary>
    public static async Task StartWithAsync(this ClinicAppFactory app, MaildevServer maildev)
    {
        await maildev.StartAsync();
        await maildev.ClearAsync();
        _ = app.ServerAddress;
    }

    /// <summary>Twilio at the stand-in (see <see cref="Sms.SmsTestHost.TwilioSettings"/>); set before the first use.</summary>
    public static ClinicAppFactory WithTwilio(this ClinicAppFactory app, TwilioStandIn standIn, int timeoutSeconds = 10)
    {
        foreach (var (key, value) in Sms.SmsTestHost.TwilioSettings(standIn, timeoutSeconds))
        {
            app.With(key, value);
        }

        if (app.Clock is not null)
        {
            standIn.Clock = app.Clock;
        }

        return app;
    }

    /// <summary>The practitioner's next booked demo appointment starting more than an hour from now.</summary>
    public static async Task<int> NextBookedAppointmentIdAsync(this ClinicAppFactory app, string practitionerEmail)
    {
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var practitionerId = (await app.PractitionerAsync(practitionerEmail)).Id;
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<Appointment>()
            .Where(a => a.PractitionerId == practitionerId && a.Status == AppointmentStatus.Booked && a.StartUtc > now.AddHours(1))
            .OrderBy(a => a.StartUtc).Select(a => a.Id).FirstAsync();
    }

    public static async Task<Practitioner> PractitionerAsync(this ClinicAppFactory app, string email)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<Practitioner>().Include(p => p.User).SingleAsync(p => p.User!.Email == email);
    }

    public static async Task SetNoticesAsync(this ClinicAppFactory app, string practitionerEmail, NotificationMethod method, int? withinDays = null, string? mobile = null, bool moves = false, bool newBookings = false)
    {
        await using var db = await app.CreateDbContextAsync();
        var practitioner = await db.Set<Practitioner>().Include(p => p.User).SingleAsync(p => p.User!.Email == practitionerEmail);
        practitioner.NotificationMethod = method;
        practitioner.NotifyWithinDays = withinDays;
        practitioner.NotifyOfMoves = moves;
        practitioner.NotifyOfNewBookings = newBookings;
        practitioner.MobileE164 = mobile ?? practitioner.MobileE164;
        await db.SaveChangesAsync();
    }

    /// <summary>Books an appointment for Jane Smith (or another patient) directly, for set-up.</summary>
    public static async Task<Appointment> AddAppointmentAsync(this ClinicAppFactory app, string practitionerEmail, DateTime startUtc, string patientFirstName = "Jane")
    {
        _ = app.ServerAddress;
        await using var db = await app.CreateDbContextAsync();
        var practitioner = await db.Set<Practitioner>().Include(p => p.User).SingleAsync(p => p.User!.Email == practitionerEmail);
        var patient = await db.Set<Patient>().FirstAsync(p => p.FirstName == patientFirstName);
        var type = await db.Set<AppointmentType>().SingleAsync(t => t.Name == "Follow-up");
        var appointment = new Appointment
        {
            PractitionerId = practitioner.Id,
            PatientId = patient.Id,
            AppointmentTypeId = type.Id,
            StartUtc = startUtc,
            EndUtc = startUtc.AddMinutes(type.DurationMinutes),
            BookedAtUtc = startUtc.AddDays(-3),
        };
        db.Add(appointment);
        await db.SaveChangesAsync();
        return appointment;
    }

    public static async Task<Result<Appointment>> CancelAsAsync(this ClinicAppFactory app, string staffEmail, int appointmentId, CancellationReason? reason = null)
    {
        await using var scope = await app.ScopeForAsync(staffEmail);
        var result = await scope.ServiceProvider.GetRequiredService<AppointmentService>().CancelAsync(new CancelAppointment(appointmentId, reason));
        Assert.True(result.Succeeded, result.Error);
        return result;
    }

    /// <summary>Moves the appointment as a member of staff, to another start and (optionally) another practitioner.</summary>
    public static async Task<Appointment> MoveAsAsync(this ClinicAppFactory app, string staffEmail, int appointmentId, DateTime startUtc, string? toPractitionerEmail = null)
    {
        Appointment current;
        await using (var db = await app.CreateDbContextAsync())
        {
            current = await db.Set<Appointment>().AsNoTracking().SingleAsync(a => a.Id == appointmentId);
        }

        var practitionerId = toPractitionerEmail is null ? current.PractitionerId : (await app.PractitionerAsync(toPractitionerEmail)).Id;
        await using var scope = await app.ScopeForAsync(staffEmail);
        var result = await scope.ServiceProvider.GetRequiredService<AppointmentService>()
            .MoveAsync(new MoveAppointment(appointmentId, practitionerId, startUtc, current.Version));
        Assert.True(result.Succeeded, result.Error);
        return result.Value!;
    }

    /// <summary>The clinic's "Tell patients when the clinic cancels or moves their appointment" (email on, SMS off unless a test says so).</summary>
    public static async Task TellPatientsAsync(this ClinicAppFactory app, bool byEmail, bool bySms = false)
    {
        _ = app.ServerAddress;
        await using var db = await app.CreateDbContextAsync();
        var clinic = await db.Set<ClinicBlazor.Features.Settings.Clinic>().SingleAsync();
        clinic.TellPatientsByEmail = byEmail;
        clinic.TellPatientsBySms = bySms;
        await db.SaveChangesAsync();
    }

    /// <summary>Every notice of the appointment, oldest first, with its deliveries.</summary>
    public static async Task<List<CancellationNotice>> NoticesForAsync(this ClinicAppFactory app, int appointmentId)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<CancellationNotice>().AsNoTracking().Include(n => n.Deliveries)
            .Where(n => n.AppointmentId == appointmentId).OrderBy(n => n.Id).ToListAsync();
    }

    public static async Task ReinstateAsAsync(this ClinicAppFactory app, string staffEmail, int appointmentId)
    {
        await using var scope = await app.ScopeForAsync(staffEmail);
        var result = await scope.ServiceProvider.GetRequiredService<AppointmentService>().ReinstateAsync(appointmentId);
        Assert.True(result.Succeeded, result.Error);
    }

    /// <summary>The latest notice for the appointment, with its deliveries and their attempts.</summary>
    public static async Task<CancellationNotice> NoticeForAsync(this ClinicAppFactory app, int appointmentId)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<CancellationNotice>().AsNoTracking()
            .Include(n => n.Deliveries).ThenInclude(d => d.Attempts)
            .Where(n => n.AppointmentId == appointmentId)
            .OrderByDescending(n => n.Id)
            .FirstAsync();
    }

    /// <summary>Polls until the condition holds about the latest notice (the job records the outcome just after the mail server answered).</summary>
    public static async Task<CancellationNotice> WaitForNoticeAsync(this ClinicAppFactory app, int appointmentId, Func<CancellationNotice, bool> condition)
    {
        var deadline = Deadline.In(TimeSpan.FromSeconds(15));
        while (true)
        {
            var notice = await app.NoticeForAsync(appointmentId);
            if (condition(notice) || deadline.Passed)
            {
                return notice;
            }

            await Task.Delay(50);
        }
    }

    public static Task<DispatchResult> DispatchAsync(this ClinicAppFactory app) =>
        app.Services.GetRequiredService<NoticeDispatcher>().DispatchDueAsync(app.Clock!.GetUtcNow().UtcDateTime);

    public static NoticeDelivery Email(this CancellationNotice notice, DeliveryKind kind = DeliveryKind.Cancellation) =>
        notice.Deliveries.Single(d => d.Channel == NoticeChannel.Email && d.Kind == kind);
}
