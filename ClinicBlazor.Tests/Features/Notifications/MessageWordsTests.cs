using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Notifications.Sms;
using ClinicBlazor.Features.OnlineBookings;
using ClinicBlazor.Features.Settings;

namespace ClinicBlazor.Tests.Features.Notifications;

/// <summary>Emails and SMS name the clinic and write times the way the clinic chose in Settings.</summary>
public sealed class MessageWordsTests
{
    // Tuesday 24 November 2026, 14:30 in Sydney.
    private static readonly DateTime StartUtc = new(2026, 11, 24, 3, 30, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(TimeFormat.TwentyFourHour, "Tue 24 Nov 14:30", "Tuesday 24 November 2026 at 14:30")]
    [InlineData(TimeFormat.TwelveHour, "Tue 24 Nov 2:30 pm", "Tuesday 24 November 2026 at 2:30 pm")]
    public void Times_in_every_email_and_SMS_follow_the_clinics_time_format(TimeFormat format, string shortWhen, string longWhen)
    {
        var clinic = Clinic(format);
        var notice = Notice();

        var digest = NoticeMessages.Digest("priya@clinic.example", [notice], clinic, "https://clinic.example");
        var reinstated = NoticeMessages.Reinstated("priya@clinic.example", notice, clinic, "https://clinic.example");
        var confirmation = BookingConfirmationEmail.Create(clinic, new BookingConfirmation("token", 1, "Dr Priya Sharma", "Follow-up", clinic.ToLocal(StartUtc), "jane@patients.example"), "Jane", "https://clinic.example/booking/x");
        var cancelled = NoticeMessages.PatientCancellation("jane@patients.example", "Jane", "Follow-up", "Dr Priya Sharma", StartUtc, clinic);
        var sms = SmsText.For(notice, DeliveryKind.Cancellation, clinic, "K7P2");

        Assert.Equal($"Cancelled: Jane Smith, {shortWhen}", digest.Subject);
        Assert.Contains($"Jane Smith, {shortWhen}", digest.TextBody, StringComparison.Ordinal);
        Assert.Equal($"Reinstated: Jane Smith, {shortWhen} is back on", reinstated.Subject);
        Assert.Equal($"Booked: Follow-up with Dr Priya Sharma, {shortWhen}", confirmation.Subject);
        Assert.Contains(longWhen, confirmation.TextBody, StringComparison.Ordinal);
        Assert.Equal($"Cancelled: Follow-up with Dr Priya Sharma, {shortWhen}", cancelled.Subject);
        Assert.Contains(longWhen, cancelled.TextBody, StringComparison.Ordinal);
        Assert.Equal($"Harbourside Physio: Jane S. cancelled {shortWhen}. By reception. Ref K7P2", sms);
    }

    [Fact]
    public void The_digest_says_who_cancelled_and_why_from_the_notices_fields()
    {
        var digest = NoticeMessages.Digest("priya@clinic.example", [Notice()], Clinic(TimeFormat.TwentyFourHour), "https://clinic.example");

        Assert.Contains("Cancelled by Sam at reception", digest.TextBody, StringComparison.Ordinal);
        Assert.Contains("Reason: Sick (Has the flu)", digest.TextBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Harbourside Physio", "Harbourside Physio")]
    [InlineData("  Harbourside Physio ", "Harbourside Physio")]
    [InlineData("", "Configured Name")]
    [InlineData("   ", "Configured Name")]
    [InlineData(null, "Configured Name")]
    public void Emails_come_from_the_clinics_name_and_FromName_only_when_it_has_none(string? clinicName, string expected)
    {
        Assert.Equal(expected, NoticeMessages.FromName(clinicName, "Configured Name"));
    }

    [Theory]
    [InlineData("Harbourside Physio", "Test notification from Harbourside Physio")]
    [InlineData("", "Test notification")]
    public void The_test_notification_names_the_clinic(string clinicName, string subject)
    {
        var clinic = Clinic(TimeFormat.TwentyFourHour);
        clinic.Name = clinicName;

        Assert.Equal(subject, NoticeMessages.Test("priya@clinic.example", "Priya", clinic).Subject);
    }

    private static Clinic Clinic(TimeFormat format) => new() { Name = "Harbourside Physio", Phone = "(02) 9000 1234", TimeZoneId = "Australia/Sydney", TimeFormat = format };

    private static CancellationNotice Notice() => new()
    {
        PatientFirstName = "Jane",
        PatientLastName = "Smith",
        AppointmentTypeName = "Follow-up",
        AppointmentStartUtc = StartUtc,
        CancelledByKind = CancellerKind.Reception,
        CancelledByName = "Sam Taylor",
        ReasonCode = CancellationReason.Sick,
        Note = "Has the flu",
    };
}
