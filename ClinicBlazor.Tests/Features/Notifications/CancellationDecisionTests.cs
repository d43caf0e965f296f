using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Notifications;

/// <summary>The decision, made in the cancellation's transaction through the one cancel path (real SQLite file).</summary>
public sealed class CancellationDecisionTests : IAsyncLifetime
{
    private readonly ClinicAppFactory app = NoticeTestKit.NewApp();
    private static string Priya => DemoSignIns.Practitioner.Email;
    private static string Sam => DemoSignIns.Receptionist.Email;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Notices_off_is_recorded_as_notifications_off()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Off);
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.Now.AddHours(5));

        await app.CancelAsAsync(Sam, appointment.Id);

        var notice = await app.NoticeForAsync(appointment.Id);
        Assert.Equal("notifications off", notice.SuppressionReason);
        Assert.Empty(notice.Deliveries);
    }

    [Fact]
    public async Task Receptionist_cancelling_makes_a_pending_email_with_a_snapshot()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Email);
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.Now.AddHours(5));

        await app.CancelAsAsync(Sam, appointment.Id, CancellationReason.Sick);

        var notice = await app.NoticeForAsync(appointment.Id);
        Assert.Null(notice.SuppressionReason);
        Assert.Equal(Priya, notice.Email);
        Assert.Equal(NotificationMethod.Email, notice.Method);
        Assert.Equal("Sam at reception", notice.CancelledBy);
        Assert.Equal((CancellerKind.Reception, DemoSignIns.Receptionist.DisplayName), (notice.CancelledByKind, notice.CancelledByName));
        Assert.Equal(CancellationReason.Sick, notice.ReasonCode);
        Assert.Equal("Sick", notice.Reason);
        Assert.Equal(("Jane", "Smith"), (notice.PatientFirstName, notice.PatientLastName));
        Assert.Equal("Jane Smith", notice.PatientName);
        var email = Assert.Single(notice.Deliveries);
        Assert.Equal(NoticeChannel.Email, email.Channel);
        Assert.Equal(DeliveryState.Pending, email.State);
        Assert.Equal(NoticeTestKit.Now.AddSeconds(60), email.DueAtUtc);
    }

    [Fact]
    public async Task Practitioner_cancelling_their_own_is_cancelled_by_you()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Email);
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.Now.AddHours(5));

        await app.CancelAsAsync(Priya, appointment.Id);

        var notice = await app.NoticeForAsync(appointment.Id);
        Assert.Equal("cancelled by you", notice.SuppressionReason);
        Assert.Equal((CancellerKind.Self, DemoSignIns.Practitioner.DisplayName), (notice.CancelledByKind, notice.CancelledByName));
        Assert.Empty(notice.Deliveries);
    }

    [Theory]
    [InlineData(47, null)]
    [InlineData(48, null)]
    [InlineData(49, "outside your 2-day window")]
    public async Task Two_day_window_is_measured_from_the_cancellation(int hoursAhead, string? expected)
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Email, withinDays: 2);
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.Now.AddHours(hoursAhead));

        await app.CancelAsAsync(Sam, appointment.Id);

        var notice = await app.NoticeForAsync(appointment.Id);
        Assert.Equal(expected, notice.SuppressionReason);
        Assert.Equal(expected is null ? 1 : 0, notice.Deliveries.Count);
    }

    [Fact]
    public async Task Anytime_notifies_sixty_days_ahead()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Email, withinDays: null);
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.Now.AddDays(60));

        await app.CancelAsAsync(Sam, appointment.Id);

        Assert.Null((await app.NoticeForAsync(appointment.Id)).SuppressionReason);
    }

    [Fact]
    public async Task Appointment_already_started_is_not_notified()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Email);
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.Now.AddMinutes(-10));

        await app.CancelAsAsync(Sam, appointment.Id);

        Assert.Equal("appointment already started", (await app.NoticeForAsync(appointment.Id)).SuppressionReason);
    }

    [Fact]
    public async Task Patient_cancelling_online_notifies_by_email_and_sms()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.SmsAndEmail, mobile: "+61412345678");
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.Now.AddHours(5));

        await using (var scope = app.AnonymousScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<AppointmentService>()
                .CancelAsync(new CancelAppointment(appointment.Id), new PatientCanceller(appointment.PatientId));
            Assert.True(result.Succeeded, result.Error);
        }

        var notice = await app.NoticeForAsync(appointment.Id);
        Assert.Null(notice.SuppressionReason);
        Assert.Equal("the patient, online", notice.CancelledBy);
        Assert.Equal((CancellerKind.PatientOnline, ""), (notice.CancelledByKind, notice.CancelledByName));
        Assert.Equal(DeliveryState.Pending, notice.Email().State);
        var sms = notice.Deliveries.Single(d => d.Channel == NoticeChannel.Sms);
        Assert.Equal(DeliveryState.Pending, sms.State);
        Assert.Null(sms.Reason);
    }

    [Fact]
    public async Task Moving_an_appointment_writes_no_notice()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Email);
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);

        await using (var scope = await app.ScopeForAsync(Sam))
        {
            var result = await scope.ServiceProvider.GetRequiredService<AppointmentService>()
                .MoveAsync(new MoveAppointment(appointment.Id, appointment.PractitionerId, NoticeTestKit.NightSlot.AddHours(1), appointment.Version));
            Assert.True(result.Succeeded, result.Error);
        }

        await using var db = await app.CreateDbContextAsync();
        Assert.DoesNotContain(db.Set<CancellationNotice>(), n => n.AppointmentId == appointment.Id);
    }
}
