using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Tests.Features.Notifications.Sms;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Notifications;

/// <summary>The patient hears from the clinic when staff cancel or move their appointment: email at a real SMTP server, SMS at the Twilio stand-in.</summary>
public sealed class PatientNoticeTests(MaildevServer maildev) : IClassFixture<MaildevServer>, IAsyncLifetime
{
    private const string JanesEmail = "jane.smith@patients.example";
    private readonly TwilioStandIn twilio = new();
    private ClinicAppFactory app = null!;

    private static string Priya => DemoSignIns.Practitioner.Email;
    private static string Sam => DemoSignIns.Receptionist.Email;

    public async Task InitializeAsync()
    {
        await twilio.InitializeAsync();
        app = NoticeTestKit.NewApp(maildev).WithTwilio(twilio);
        await app.StartWithAsync(maildev);
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await twilio.DisposeAsync();
    }

    [Fact]
    public async Task Clinic_cancelling_emails_the_patient_without_the_note_and_with_a_rebooking_link_that_works()
    {
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);

        await using (var scope = await app.ScopeForAsync(Sam))
        {
            var result = await scope.ServiceProvider.GetRequiredService<AppointmentService>()
                .CancelAsync(new CancelAppointment(appointment.Id, CancellationReason.Other, "Priya is at a funeral"));
            Assert.True(result.Succeeded, result.Error);
        }

        await app.DispatchAsync();

        var email = Assert.Single(await maildev.WaitForEmailsAsync(1), e => e.ToAddress == JanesEmail);
        Assert.Equal($"Cancelled: Follow-up with {DemoSignIns.Practitioner.DisplayName}, Thu 26 Nov 02:00", email.Subject);
        Assert.Equal("Harbourside Physio & Health", email.From[0].Name);
        Assert.Contains("Thursday 26 November 2026 at 02:00", email.Text);
        Assert.Contains("(02) 9000 1234", email.Text);
        Assert.DoesNotContain("funeral", email.Text);
        Assert.DoesNotContain("funeral", email.Html);
        Assert.DoesNotContain("Other", email.Text);
        var link = $"{app.ServerAddress.ToString().TrimEnd('/')}/book";
        Assert.Contains(link, email.Text);
        Assert.Contains($"href=\"{link}\"", email.Html);

        using var http = new HttpClient();
        var page = await http.GetAsync(link);
        Assert.True(page.IsSuccessStatusCode, page.StatusCode.ToString());
        Assert.Contains("Book", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Clinic_moving_emails_the_patient_the_old_and_new_time()
    {
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);

        await app.MoveAsAsync(Sam, appointment.Id, NoticeTestKit.NightSlot.AddDays(1).AddHours(1));
        await app.DispatchAsync();

        var email = Assert.Single(await maildev.WaitForEmailsAsync(1), e => e.ToAddress == JanesEmail);
        Assert.Equal($"Moved: Follow-up with {DemoSignIns.Practitioner.DisplayName}, now Fri 27 Nov 03:00", email.Subject);
        Assert.Contains("Now: Friday 27 November 2026 at 03:00", email.Text);
        Assert.Contains("Was: Thursday 26 November 2026 at 02:00", email.Text);
        Assert.Contains("(02) 9000 1234", email.Text);
        Assert.Contains($"{app.ServerAddress.ToString().TrimEnd('/')}/book", email.Text);
        await using var db = await app.CreateDbContextAsync();
        Assert.Equal(PatientNotices.MovedKind, (await db.Set<OutboxMessage>().SingleAsync(m => m.To == JanesEmail)).Kind);
    }

    [Fact]
    public async Task Without_online_bookings_the_email_has_no_booking_link()
    {
        await using (var db = await app.CreateDbContextAsync())
        {
            (await db.Set<ClinicBlazor.Features.Settings.Clinic>().SingleAsync()).OnlineBookingEnabled = false;
            await db.SaveChangesAsync();
        }

        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);
        await app.CancelAsAsync(Sam, appointment.Id);
        await app.DispatchAsync();

        var email = Assert.Single(await maildev.WaitForEmailsAsync(1), e => e.ToAddress == JanesEmail);
        Assert.DoesNotContain("/book", email.Text);
        Assert.Contains("(02) 9000 1234", email.Text);
    }

    [Fact]
    public async Task A_patient_without_an_email_address_gets_none()
    {
        await SetJanesContactAsync(email: "");
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);

        await app.CancelAsAsync(Sam, appointment.Id);
        await app.DispatchAsync();

        await using var db = await app.CreateDbContextAsync();
        Assert.False(await db.Set<OutboxMessage>().AnyAsync(m => m.Kind == PatientNotices.CancelledKind));
        Assert.Empty(await maildev.GetEmailsAsync());
    }

    [Fact]
    public async Task The_patients_own_online_cancellation_is_confirmed_not_told_as_the_clinics()
    {
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);
        await using (var scope = app.AnonymousScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<AppointmentService>()
                .CancelAsync(new CancelAppointment(appointment.Id), new PatientCanceller(appointment.PatientId));
            Assert.True(result.Succeeded, result.Error);
        }

        await using var db = await app.CreateDbContextAsync();
        var kinds = await db.Set<OutboxMessage>().Where(m => m.To == JanesEmail).Select(m => m.Kind).ToListAsync();
        Assert.Equal([NoticeMessages.PatientCancellationKind], kinds);
    }

    [Fact]
    public async Task With_SMS_on_the_patient_gets_one_SMS_charged_once()
    {
        await app.TellPatientsAsync(byEmail: false, bySms: true);
        await app.SetSmsBalanceAsync(50);
        var mobile = await SetJanesContactAsync();
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);

        await app.MoveAsAsync(Sam, appointment.Id, NoticeTestKit.NightSlot.AddHours(1));
        await app.DispatchAsync();
        await app.DispatchAsync();

        var sms = Assert.Single(twilio.MessagePosts, p => p.Form.GetValueOrDefault("To") == mobile);
        Assert.StartsWith("Harbourside Physio & Health: your appointment on Thu 26 Nov 02:00 is moved to Thu 26 Nov 03:00", sms.Form["Body"]);
        Assert.EndsWith("Questions: (02) 9000 1234", sms.Form["Body"]);
        Assert.Equal(49, await app.SmsBalanceAsync());
        await using var db = await app.CreateDbContextAsync();
        var row = await db.Set<OutboxMessage>().SingleAsync(m => m.To == mobile);
        Assert.Equal(OutboxMessageState.Sent, row.State);
        Assert.Equal(-1, await db.Set<SmsCreditLedgerEntry>().Where(e => e.OutboxMessageId == row.Id).SumAsync(e => e.Amount));
        Assert.False(await db.Set<OutboxMessage>().AnyAsync(m => m.To == JanesEmail), "the held email goes once the SMS went");
        Assert.Empty(await maildev.GetEmailsAsync());
        await app.AssertLedgerMatchesBalanceAsync();
    }

    [Fact]
    public async Task Without_credits_the_patients_SMS_falls_back_to_email()
    {
        await app.TellPatientsAsync(byEmail: false, bySms: true);
        await app.SetSmsBalanceAsync(0);
        var mobile = await SetJanesContactAsync();
        var appointment = await app.AddAppointmentAsync(Priya, NoticeTestKit.NightSlot);

        await app.CancelAsAsync(Sam, appointment.Id);
        await app.DispatchAsync();

        Assert.Empty(twilio.MessagePosts);
        var email = Assert.Single(await maildev.WaitForEmailsAsync(1), e => e.ToAddress == JanesEmail);
        Assert.StartsWith("Cancelled: Follow-up", email.Subject);
        await using var db = await app.CreateDbContextAsync();
        Assert.Equal((OutboxMessageState.NotSent, QueuedMessages.NoSmsCredits), await db.Set<OutboxMessage>().Where(m => m.To == mobile).Select(m => ValueTuple.Create(m.State, m.Error)).SingleAsync());
        Assert.Equal(OutboxMessageState.Sent, await db.Set<OutboxMessage>().Where(m => m.To == JanesEmail).Select(m => m.State).SingleAsync());
    }

    /// <summary>Jane Smith's email and mobile for the test; returns the mobile.</summary>
    private async Task<string> SetJanesContactAsync(string email = JanesEmail, string mobile = "+61411555123")
    {
        await using var db = await app.CreateDbContextAsync();
        var jane = await db.Set<Patient>().FirstAsync(p => p.FirstName == "Jane" && p.LastName == "Smith");
        jane.Email = email;
        jane.MobileE164 = mobile;
        await db.SaveChangesAsync();
        return mobile;
    }
}
