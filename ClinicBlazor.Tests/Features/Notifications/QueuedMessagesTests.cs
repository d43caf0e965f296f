using System.Text.RegularExpressions;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.OnlineBookings;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Notifications;

/// <summary>
/// Messages that are not notices (a booking confirmation, a test notification) go through the
/// outbox and the dispatcher like every other: a mail server that is down delays them, never loses them.
/// </summary>
public sealed partial class QueuedMessagesTests(MaildevServer maildev) : IClassFixture<MaildevServer>, IAsyncLifetime
{
    private readonly ClinicAppFactory app = NoticeTestKit.NewApp(maildev);
    private static string Priya => DemoSignIns.Practitioner.Email;

    public Task InitializeAsync() => app.StartWithAsync(maildev);

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await maildev.StartAsync();
    }

    [Fact]
    public async Task A_booking_made_while_the_mail_server_is_down_reaches_the_patient_once_after_it_comes_back_with_a_working_private_link()
    {
        await maildev.StopAsync();
        var booking = await BookAsync();
        await app.DispatchAsync();

        var queued = await ConfirmationAsync();
        Assert.Equal(OutboxMessageState.Pending, queued.State);
        Assert.Contains("could not be reached", queued.Error, StringComparison.Ordinal);
        Assert.NotNull(queued.NextAttemptAtUtc);

        // The token is nowhere in the database in clear: the Outbox shows the link masked.
        Assert.Contains(OutboxMessage.MaskedLink, queued.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(booking.Token, queued.TextBody + queued.HtmlBody + queued.ProtectedLink, StringComparison.Ordinal);

        await maildev.StartAsync();
        app.Clock!.Advance(TimeSpan.FromMinutes(5));
        await app.DispatchAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await app.DispatchAsync();

        var email = Assert.Single(await maildev.WaitForEmailsAsync(1));
        Assert.Equal("online@patients.example", email.ToAddress);
        var token = BookingLink().Match(email.Text ?? "").Groups[1].Value;
        Assert.Equal(booking.Token, token);
        Assert.Contains($"\nhttp://clinic.test/booking/{token}", email.Text, StringComparison.Ordinal);
        Assert.Contains($"href=\"http://clinic.test/booking/{token}\"", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("booking/http", email.Text + email.Html, StringComparison.Ordinal);
        await using (var scope = app.AnonymousScope())
        {
            var managed = await scope.ServiceProvider.GetRequiredService<OnlineBookingService>().FindByTokenAsync(token);
            Assert.Equal(booking.AppointmentId, managed?.AppointmentId);
        }

        var sent = await ConfirmationAsync();
        Assert.Equal(OutboxMessageState.Sent, sent.State);
        Assert.Null(sent.ProtectedLink);
        Assert.Equal(2, sent.AttemptCount);
    }

    [Fact]
    public async Task A_test_notification_with_the_mail_server_down_is_retried_then_sent_and_shows_in_the_outbox()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Email);
        var priya = await app.PractitionerAsync(Priya);
        await maildev.StopAsync();

        await using (var scope = await app.ScopeForAsync(Priya))
        {
            var refused = await scope.ServiceProvider.GetRequiredService<TestNotifications>().SendTestAsync(priya.UserId);
            Assert.False(refused.Succeeded);
            Assert.Contains("could not be sent yet", refused.Error, StringComparison.Ordinal);
        }

        var waiting = Assert.Single(await OutboxAsync(), m => m.Kind == TestNotifications.Kind);
        Assert.Equal(OutboxMessageState.Pending, waiting.State);
        Assert.Equal(priya.NotificationEmail, waiting.To);

        await maildev.StartAsync();
        app.Clock!.Advance(TimeSpan.FromMinutes(5));
        await app.DispatchAsync();
        await app.DispatchAsync();

        var email = Assert.Single(await maildev.WaitForEmailsAsync(1));
        Assert.Equal(priya.NotificationEmail, email.ToAddress);
        Assert.Equal("Test notification from Harbourside Physio & Health", email.Subject);
        Assert.Equal(("Harbourside Physio & Health", "notices@harbourside.example"), (email.From[0].Name, email.From[0].Address));
        Assert.Equal(OutboxMessageState.Sent, Assert.Single(await OutboxAsync(), m => m.Kind == TestNotifications.Kind).State);
    }

    [Fact]
    public async Task Send_test_notification_goes_at_most_once_a_minute_and_at_most_five_test_sms_a_day()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Sms, mobile: "+61412345678");
        var priya = await app.PractitionerAsync(Priya);
        await using var scope = await app.ScopeForAsync(Priya);
        var tests = scope.ServiceProvider.GetRequiredService<TestNotifications>();

        Assert.True((await tests.SendTestAsync(priya.UserId)).Succeeded);
        var again = await tests.SendTestAsync(priya.UserId);
        Assert.Equal("A test notification went less than a minute ago: wait a minute, then send another.", again.Error);

        for (var i = 0; i < 4; i++)
        {
            app.Clock!.Advance(TestNotifications.MinimumInterval);
            var sent = await tests.SendTestAsync(priya.UserId);
            Assert.True(sent.Succeeded, sent.Error);
        }

        app.Clock!.Advance(TestNotifications.MinimumInterval);
        var sixth = await tests.SendTestAsync(priya.UserId);
        Assert.False(sixth.Succeeded);
        Assert.StartsWith("No test SMS: 5 were sent in the last 24 hours", sixth.Error, StringComparison.Ordinal);

        app.Clock.Advance(TimeSpan.FromDays(1));
        Assert.True((await tests.SendTestAsync(priya.UserId)).Succeeded);
        await using var db = await app.CreateDbContextAsync();
        Assert.Equal(6, await db.Set<OutboxMessage>().CountAsync(m => m.Kind == TestNotifications.Kind && m.Channel == NoticeChannel.Sms && m.State == OutboxMessageState.Sent));
    }

    [Fact]
    public async Task A_patient_cancelling_online_gets_an_email_from_the_clinic_confirming_it_through_the_outbox()
    {
        var booking = await BookAsync();
        await using (var scope = app.AnonymousScope())
        {
            var cancelled = await scope.ServiceProvider.GetRequiredService<OnlineBookingService>().CancelAsync(booking.Token, ClinicBlazor.Features.Appointments.CancellationReason.Sick);
            Assert.True(cancelled.Succeeded, cancelled.Error);
        }

        await using (var db = await app.CreateDbContextAsync())
        {
            var queued = await db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Kind == NoticeMessages.PatientCancellationKind);
            Assert.Equal((OutboxMessageState.Pending, "online@patients.example"), (queued.State, queued.To));
        }

        await app.DispatchAsync();

        var emails = await maildev.WaitForEmailsAsync(2);
        var email = Assert.Single(emails, e => e.Subject.StartsWith("Cancelled: ", StringComparison.Ordinal));
        Assert.Equal("online@patients.example", email.ToAddress);
        Assert.Equal(("Harbourside Physio & Health", "notices@harbourside.example"), (email.From[0].Name, email.From[0].Address));
        Assert.Contains("Hi Online,", email.Text, StringComparison.Ordinal);
        Assert.Contains($"with {booking.PractitionerName}", email.Text, StringComparison.Ordinal);
        Assert.Contains("is cancelled, as you asked", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_clinic_name_emails_come_from_the_configured_FromName()
    {
        await app.SetNoticesAsync(Priya, NotificationMethod.Email);
        var priya = await app.PractitionerAsync(Priya);
        await using (var db = await app.CreateDbContextAsync())
        {
            await db.Set<ClinicBlazor.Features.Settings.Clinic>().ExecuteUpdateAsync(c => c.SetProperty(x => x.Name, ""));
        }

        await using (var scope = await app.ScopeForAsync(Priya))
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<TestNotifications>().SendTestAsync(priya.UserId)).Succeeded);
        }

        var email = Assert.Single(await maildev.WaitForEmailsAsync(1));
        Assert.Equal("Test notification", email.Subject);
        Assert.Equal(("ClinicBlazor", "notices@harbourside.example"), (email.From[0].Name, email.From[0].Address));
    }

    private async Task<BookingConfirmation> BookAsync()
    {
        await using var scope = app.AnonymousScope();
        var bookings = scope.ServiceProvider.GetRequiredService<OnlineBookingService>();
        var type = (await bookings.GetChoicesAsync()).Types[0].Id;
        var slot = (await bookings.GetSlotsAsync(null, type, new DateOnly(2026, 11, 26)))[0];
        var details = new PatientDetailsInput { FirstName = "Online", LastName = "Patient", Email = "online@patients.example", Mobile = "0412 345 678" };
        var result = await bookings.BookAsync(slot.Key, type, details, "http://clinic.test/booking/");
        Assert.True(result.Succeeded, result.Error);
        return result.Value!;
    }

    private async Task<OutboxMessage> ConfirmationAsync()
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Kind == BookingConfirmationEmail.Kind);
    }

    /// <summary>What the admin's Outbox page lists.</summary>
    private async Task<IReadOnlyList<OutboxMessageSummary>> OutboxAsync()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var messages = await scope.ServiceProvider.GetRequiredService<NoticeHistory>().GetOutgoingMessagesAsync(new OutboxFilter());
        return messages;
    }

    [GeneratedRegex(@"http://clinic\.test/booking/([A-Za-z0-9_-]{22})")]
    private static partial Regex BookingLink();
}
