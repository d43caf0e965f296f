using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Notifications;

/// <summary>Moves and new bookings, decided in the change's transaction and sent by the one pipeline to a real SMTP server (fake clock, real SQLite file).</summary>
public sealed class ScheduleNoticeTests(MaildevServer maildev) : IClassFixture<MaildevServer>, IAsyncLifetime
{
    private readonly ClinicAppFactory app = NoticeTestKit.NewApp(maildev);

    private static string Priya => DemoSignIns.Practitioner.Email;
    private static string Tom => DemoSignIns.SecondPractitioner.Email;
    private static string Sam => DemoSignIns.Receptionist.Email;

    public Task InitializeAsync() => app.StartWithAsync(maildev);

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Reception_moving_Priyas_appointment_within_her_window_emails_her_both_times()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Email, withinDays: 3, moves: true);
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);

        await app.MoveAsAsync(Sam, appointment.Id, NoticeTestKit.NightSlot.AddDays(1).AddHours(1));
        app.Clock!.Advance(TimeSpan.FromSeconds(60));
        await app.DispatchAsync();

        var email = Assert.Single(await maildev.WaitForEmailsAsync(1), e => e.ToAddress == Priya);
        Assert.Equal("Moved: Jane Smith, Thu 26 Nov 02:00 → Fri 27 Nov 03:00", email.Subject);
        Assert.Contains("Thu 26 Nov 02:00 → Fri 27 Nov 03:00", email.Text);
        Assert.Contains("Moved by Sam at reception", email.Text);
        Assert.Contains("/calendar?view=day&amp;date=2026-11-27", email.Html);
        var notice = await app.NoticeForAsync(appointment.Id);
        Assert.Equal((NoticeKind.Move, DeliveryState.Sent), (notice.Kind, notice.Email().State));
        await using var db = await app.CreateDbContextAsync();
        Assert.Equal("Move notice", (await db.Set<OutboxMessage>().SingleAsync(m => m.To == Priya)).Kind);
    }

    [Fact]
    public async Task Priya_moving_her_own_appointment_sends_her_nothing()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Email, moves: true);
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);

        await app.MoveAsAsync(Priya, appointment.Id, NoticeTestKit.NightSlot.AddHours(1));
        app.Clock!.Advance(TimeSpan.FromSeconds(60));
        await app.DispatchAsync();

        var notice = await app.NoticeForAsync(appointment.Id);
        Assert.Equal((NoticeKind.Move, "moved by you"), (notice.Kind, notice.SuppressionReason));
        Assert.Empty(notice.Deliveries);
        Assert.DoesNotContain(await maildev.GetEmailsAsync(), e => e.ToAddress == Priya);
    }

    [Fact]
    public async Task A_move_and_a_move_back_before_the_notice_goes_send_nothing_and_both_rows_read_dropped_undone()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.SmsAndEmail, mobile: "+61412345678", moves: true);
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);

        await app.MoveAsAsync(Sam, appointment.Id, NoticeTestKit.NightSlot.AddHours(2));
        app.Clock!.Advance(TimeSpan.FromSeconds(20));
        await app.MoveAsAsync(Sam, appointment.Id, NoticeTestKit.NightSlot);
        app.Clock.Advance(TimeSpan.FromSeconds(60));
        await app.DispatchAsync();

        var notices = await app.NoticesForAsync(appointment.Id);
        Assert.Equal(2, notices.Count);
        Assert.All(notices, n =>
        {
            Assert.Equal(NoticeKind.Move, n.Kind);
            Assert.NotNull(n.ReinstatedAtUtc);
            Assert.Equal(2, n.Deliveries.Count);
            Assert.All(n.Deliveries, d => Assert.Equal((DeliveryState.Dropped, NoticeDelivery.MoveUndoneReason), (d.State, d.Reason)));
        });
        Assert.DoesNotContain(await maildev.GetEmailsAsync(), e => e.ToAddress == Priya);

        await using var scope = await app.ScopeForAsync(Priya);
        var history = await scope.ServiceProvider.GetRequiredService<NoticeHistory>().GetRecentForUserAsync((await app.PractitionerAsync(Priya)).UserId);
        Assert.Equal(2, history.Count);
        Assert.All(history, h =>
        {
            Assert.Contains("Email dropped (the move was undone", h.Status);
            Assert.Contains("(undone)", h.UndoneNote);
        });
        Assert.Contains(history, h => h.Change == "Moved from Thu 26 Nov 02:00");
        Assert.Contains(history, h => h.Change == "Moved from Thu 26 Nov 04:00");
    }

    [Fact]
    public async Task Priya_moving_her_appointment_to_Tom_tells_Tom_of_a_new_booking_and_not_Priya()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Email, moves: true, newBookings: true);
        await app.SetNoticesAsync(Tom, NotificationMethod.Email, newBookings: true);
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);

        await app.MoveAsAsync(Priya, appointment.Id, NoticeTestKit.NightSlot, toPractitionerEmail: Tom);
        app.Clock!.Advance(TimeSpan.FromSeconds(60));
        await app.DispatchAsync();

        var notices = await app.NoticesForAsync(appointment.Id);
        var (priyaId, tomId) = ((await app.PractitionerAsync(Priya)).Id, (await app.PractitionerAsync(Tom)).Id);
        var priyas = Assert.Single(notices, n => n.PractitionerId == priyaId);
        Assert.Equal((NoticeKind.Move, "moved by you"), (priyas.Kind, priyas.SuppressionReason));
        var toms = Assert.Single(notices, n => n.PractitionerId == tomId);
        Assert.Equal((NoticeKind.NewBooking, DemoSignIns.Practitioner.DisplayName), (toms.Kind, toms.OtherPractitionerName));
        var email = Assert.Single(await maildev.WaitForEmailsAsync(1), e => e.ToAddress == Tom);
        Assert.Equal("New booking: Jane Smith, Thu 26 Nov 02:00", email.Subject);
        Assert.Contains($"Moved to you from {DemoSignIns.Practitioner.DisplayName}", email.Text);
        Assert.DoesNotContain(await maildev.GetEmailsAsync(), e => e.ToAddress == Priya);
    }

    [Fact]
    public async Task Moved_to_Tom_and_back_before_his_notice_goes_sends_nothing_though_Priya_keeps_no_move_notices()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Email);
        await app.SetNoticesAsync(Tom, NotificationMethod.Email, moves: true, newBookings: true);
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);

        await app.MoveAsAsync(Sam, appointment.Id, NoticeTestKit.NightSlot, toPractitionerEmail: Tom);
        app.Clock!.Advance(TimeSpan.FromSeconds(20));
        await app.MoveAsAsync(Sam, appointment.Id, NoticeTestKit.NightSlot, toPractitionerEmail: Priya);
        app.Clock.Advance(TimeSpan.FromSeconds(60));
        await app.DispatchAsync();

        var tomId = (await app.PractitionerAsync(Tom)).Id;
        var toms = (await app.NoticesForAsync(appointment.Id)).Where(n => n.PractitionerId == tomId).ToList();
        Assert.Equal(new[] { NoticeKind.Move, NoticeKind.NewBooking }.Order(), toms.Select(n => n.Kind).Order());
        Assert.All(toms, n =>
        {
            Assert.NotNull(n.ReinstatedAtUtc);
            Assert.All(n.Deliveries, d => Assert.Equal((DeliveryState.Dropped, NoticeDelivery.MoveUndoneReason), (d.State, d.Reason)));
        });
        Assert.DoesNotContain(await maildev.GetEmailsAsync(), e => e.ToAddress == Tom || e.ToAddress == Priya);
    }

    [Fact]
    public async Task Without_the_move_checkbox_a_move_keeps_no_notice()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Email);
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);

        await app.MoveAsAsync(Sam, appointment.Id, NoticeTestKit.NightSlot.AddHours(1));

        Assert.Empty(await app.NoticesForAsync(appointment.Id));
    }

    [Fact]
    public async Task Reception_booking_into_Priyas_window_tells_her_and_cancelling_it_before_the_notice_goes_drops_it()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Email, withinDays: 3, newBookings: true);
        var booked = await BookAsSamAsync(Priya, NoticeTestKit.NightSlot);

        var notice = await app.NoticeForAsync(booked.Id);
        Assert.Equal((NoticeKind.NewBooking, CancellerKind.Reception), (notice.Kind, notice.CancelledByKind));
        Assert.Equal(DeliveryState.Pending, notice.Email().State);

        app.Clock!.Advance(TimeSpan.FromSeconds(30));
        await app.CancelAsAsync(Sam, booked.Id);
        app.Clock.Advance(TimeSpan.FromSeconds(60));
        await app.DispatchAsync();

        var notices = await app.NoticesForAsync(booked.Id);
        var booking = Assert.Single(notices, n => n.Kind == NoticeKind.NewBooking);
        Assert.Equal((DeliveryState.Dropped, NoticeDelivery.BookingCancelledReason), (booking.Email().State, booking.Email().Reason));
        var cancellation = Assert.Single(notices, n => n.Kind == NoticeKind.Cancellation);
        Assert.Equal(DeliveryState.Sent, cancellation.Email().State);
        var email = Assert.Single(await maildev.WaitForEmailsAsync(1), e => e.ToAddress == Priya);
        Assert.StartsWith("Cancelled: Jane Smith", email.Subject);
    }

    [Fact]
    public async Task A_move_and_a_new_booking_go_in_one_digest()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Email, moves: true, newBookings: true);
        var moved = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot, "Liam");
        await app.MoveAsAsync(Sam, moved.Id, NoticeTestKit.NightSlot.AddHours(2));
        await BookAsSamAsync(Priya, NoticeTestKit.NightSlot);
        app.Clock!.Advance(TimeSpan.FromSeconds(60));
        await app.DispatchAsync();

        var email = Assert.Single(await maildev.WaitForEmailsAsync(1), e => e.ToAddress == Priya);
        Assert.Equal("2 changes to your appointments", email.Subject);
        Assert.Contains("Moved by Sam at reception", email.Text);
        Assert.Contains("Booked by Sam at reception", email.Text);
    }

    private async Task<Appointment> BookAsSamAsync(string practitionerEmail, DateTime startUtc)
    {
        int patientId, typeId;
        await using (var db = await app.CreateDbContextAsync())
        {
            patientId = await db.Set<Patient>().Where(p => p.FirstName == "Jane").Select(p => p.Id).FirstAsync();
            typeId = await db.Set<AppointmentType>().Where(t => t.Name == "Follow-up").Select(t => t.Id).SingleAsync();
        }

        var practitionerId = (await app.PractitionerAsync(practitionerEmail)).Id;
        await using var scope = await app.ScopeForAsync(Sam);
        var result = await scope.ServiceProvider.GetRequiredService<AppointmentService>()
            .BookAsync(new BookAppointment(patientId, practitionerId, typeId, startUtc));
        Assert.True(result.Succeeded, result.Error);
        return result.Value!;
    }
}
