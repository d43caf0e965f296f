using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace ClinicBlazor.Tests.Features.Notifications;

/// <summary>The whole road on the real clock: cancel → signal → Quartz job → dispatcher → SMTP.</summary>
public sealed class DeliverThroughQuartzTests(MaildevServer maildev) : IClassFixture<MaildevServer>, IAsyncLifetime
{
    private readonly ClinicAppFactory app = NoticeTestKit.NewApp(maildev, batchWindowSeconds: 0, fakeClock: false);

    public Task InitializeAsync() => maildev.ClearAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Receptionist_cancelling_emails_the_practitioners_notification_address()
    {
        _ = app.ServerAddress;
        await app.TellPatientsAsync(byEmail: false); // the practitioner's notices only: no patient email beside them
        const string noticeAddress = "priya.notices@harbourside.example";
        Appointment appointment;
        Clinic clinic;
        await using (var db = await app.CreateDbContextAsync())
        {
            var priya = await db.Set<Practitioner>().Include(p => p.User).SingleAsync(p => p.User!.Email == DemoSignIns.Practitioner.Email);
            priya.NotificationMethod = NotificationMethod.Email;
            priya.NotificationEmail = noticeAddress;
            await db.SaveChangesAsync();
            var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
            appointment = await db.Set<Appointment>().Include(a => a.Patient).Include(a => a.AppointmentType)
                .Where(a => a.PractitionerId == priya.Id && a.Status == AppointmentStatus.Booked && a.StartUtc > now.AddHours(1))
                .OrderBy(a => a.StartUtc).FirstAsync();
            clinic = await db.Set<Clinic>().SingleAsync();
        }

        await app.CancelAsAsync(DemoSignIns.Receptionist.Email, appointment.Id, CancellationReason.FeelingBetter);

        var email = Assert.Single(await maildev.WaitForEmailsAsync(1, TimeSpan.FromSeconds(20)));
        Assert.Equal(noticeAddress, email.ToAddress);
        Assert.Equal($"Cancelled: {appointment.Patient!.FullName}, {NoticeMessages.When(clinic, appointment.StartUtc)}", email.Subject);
        Assert.Contains(appointment.Patient.FullName, email.Text);
        Assert.Contains(NoticeMessages.When(clinic, appointment.StartUtc), email.Text);
        Assert.Contains(appointment.AppointmentType!.Name, email.Text);
        Assert.Contains("Sam at reception", email.Text);
        Assert.Contains("Feeling better", email.Text);
        Assert.Contains("Sam at reception", email.Html);
        Assert.Equal(DeliveryState.Sent, (await app.WaitForNoticeAsync(appointment.Id, n => n.Email().State == DeliveryState.Sent)).Email().State);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(-55)]
    public async Task On_a_clock_far_from_the_machines_the_scheduler_fires_on_time_and_the_email_goes(int days)
    {
        // Quartz takes the app's clock: a trigger placed on any other clock looks a year late (or
        // months early) to it.
        app.Shift = new ShiftedClock(TimeSpan.FromDays(days));
        _ = app.ServerAddress;
        await app.TellPatientsAsync(byEmail: false); // the practitioner's notices only: no patient email beside them
        var appointmentId = await CancelPriyasNextAppointmentByReceptionAsync();

        Assert.Single(await maildev.WaitForEmailsAsync(1, TimeSpan.FromSeconds(20)));
        var scheduler = await app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var periodic = await scheduler.GetTrigger(PeriodicDeliveryRun.Key);
        var next = Assert.IsType<DateTimeOffset>(periodic?.NextFireTimeUtc);
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        Assert.InRange(next, now, now + PeriodicDeliveryRun.Interval + TimeSpan.FromSeconds(1));
        Assert.Equal(DeliveryState.Sent, (await app.WaitForNoticeAsync(appointmentId, n => n.Email().State == DeliveryState.Sent)).Email().State);
    }

    private async Task<int> CancelPriyasNextAppointmentByReceptionAsync()
    {
        int appointmentId;
        await using (var db = await app.CreateDbContextAsync())
        {
            var priya = await db.Set<Practitioner>().Include(p => p.User).SingleAsync(p => p.User!.Email == DemoSignIns.Practitioner.Email);
            priya.NotificationMethod = NotificationMethod.Email;
            priya.NotificationEmail = "priya.notices@harbourside.example";
            await db.SaveChangesAsync();
            var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
            appointmentId = await db.Set<Appointment>()
                .Where(a => a.PractitionerId == priya.Id && a.Status == AppointmentStatus.Booked && a.StartUtc > now.AddHours(1))
                .OrderBy(a => a.StartUtc).Select(a => a.Id).FirstAsync();
        }

        await app.CancelAsAsync(DemoSignIns.Receptionist.Email, appointmentId, CancellationReason.FeelingBetter);
        return appointmentId;
    }
}
