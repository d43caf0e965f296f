using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Notifications.Sms;
using ClinicBlazor.Features.Settings;

namespace ClinicBlazor.Tests.Features.Notifications;

/// <summary>The words of move and new-booking notices, and of the patient's messages when the clinic changes their appointment.</summary>
public sealed class ScheduleMessageWordsTests
{
    // Monday 30 November 2026, 09:30 and Tuesday 1 December, 10:00 in Sydney.
    private static readonly DateTime Before = new(2026, 11, 29, 22, 30, 0, DateTimeKind.Utc);
    private static readonly DateTime After = new(2026, 11, 30, 23, 0, 0, DateTimeKind.Utc);
    private static readonly Clinic Harbourside = new() { Name = "Harbourside Physio", Phone = "(02) 9000 1234", TimeZoneId = "Australia/Sydney" };

    [Fact]
    public void A_move_reads_as_the_issue_writes_it_in_the_email_and_the_SMS()
    {
        var notice = Move();

        Assert.Equal("Moved: Mia Harris, Mon 30 Nov 09:30 → Tue 1 Dec 10:00", NoticeMessages.Digest("priya@clinic.example", [notice], Harbourside, "https://clinic.example").Subject);
        Assert.Equal("Harbourside Physio: Mia H. moved Mon 30 Nov 09:30 to Tue 1 Dec 10:00. By reception. Ref K7P2", SmsText.For(notice, DeliveryKind.Cancellation, Harbourside, "K7P2"));
    }

    [Fact]
    public void A_move_to_another_practitioner_names_them_for_the_one_it_left()
    {
        var notice = Move();
        notice.OtherPractitionerName = "Tom Becker";

        Assert.Equal("Moved to Tom Becker: Mia Harris, Mon 30 Nov 09:30 → Tue 1 Dec 10:00", NoticeMessages.Headline(Harbourside, notice));
        Assert.Contains("Now with Tom Becker", NoticeMessages.Digest("priya@clinic.example", [notice], Harbourside, "https://clinic.example").TextBody, StringComparison.Ordinal);
        Assert.Equal("Harbourside Physio: Mia H. moved Mon 30 Nov 09:30 to Tom Becker, Tue 1 Dec 10:00. By reception. Ref K7P2", SmsText.For(notice, DeliveryKind.Cancellation, Harbourside, "K7P2"));
    }

    [Fact]
    public void A_new_booking_online_says_the_patient_booked_it()
    {
        var notice = Move();
        notice.Kind = NoticeKind.NewBooking;
        notice.PreviousStartUtc = null;
        notice.CancelledByKind = CancellerKind.PatientOnline;
        notice.CancelledByName = "";

        var digest = NoticeMessages.Digest("priya@clinic.example", [notice], Harbourside, "https://clinic.example");
        Assert.Equal("New booking: Mia Harris, Tue 1 Dec 10:00", digest.Subject);
        Assert.Contains("Booked by the patient, online", digest.TextBody, StringComparison.Ordinal);
        Assert.Equal("Harbourside Physio: New booking: Mia H. Tue 1 Dec 10:00. By the patient. Ref K7P2", SmsText.For(notice, DeliveryKind.Cancellation, Harbourside, "K7P2"));
    }

    [Fact]
    public void Long_names_still_fit_one_segment_with_the_reference_whole()
    {
        var notice = Move();
        notice.PatientFirstName = new string('M', 80);
        notice.OtherPractitionerName = "Dr Bartholomew Featherstonehaugh-Cholmondeley";
        var clinic = new Clinic { Name = "The Very Long Named Harbourside Physiotherapy and Sports Medicine Clinic", TimeZoneId = "Australia/Sydney" };

        var sms = SmsText.For(notice, DeliveryKind.Cancellation, clinic, "K7P2");
        Assert.True(Gsm7.CountSeptets(sms) <= Gsm7.SegmentSeptets, sms);
        Assert.EndsWith(" Ref K7P2", sms, StringComparison.Ordinal);

        var patient = SmsText.PatientMoved(clinic.Name, clinic.ToLocal(Before), clinic.ToLocal(After), notice.OtherPractitionerName, "(02) 9000 1234");
        Assert.True(Gsm7.CountSeptets(patient) <= Gsm7.SegmentSeptets, patient);
        Assert.EndsWith("Questions: (02) 9000 1234", patient, StringComparison.Ordinal);
    }

    [Fact]
    public void The_patients_email_has_the_new_time_the_phone_and_the_link_and_never_the_note()
    {
        var moved = NoticeMessages.PatientMoved("mia@patients.example", "Mia", "Follow-up", "Tom Becker", "Priya Patel", Before, After, Harbourside, "https://clinic.example/book");
        var cancelled = NoticeMessages.PatientCancelledByClinic("mia@patients.example", "Mia", "Follow-up", "Priya Patel", Before, Harbourside, rebookingLink: null);

        Assert.Equal("Moved: Follow-up with Tom Becker, now Tue 1 Dec 10:00", moved.Subject);
        Assert.Contains("Follow-up with Tom Becker (instead of Priya Patel)", moved.TextBody, StringComparison.Ordinal);
        Assert.Contains("Now: Tuesday 1 December 2026 at 10:00", moved.TextBody, StringComparison.Ordinal);
        Assert.Contains("https://clinic.example/book", moved.HtmlBody!, StringComparison.Ordinal);
        Assert.Equal("Cancelled: Follow-up with Priya Patel, Mon 30 Nov 09:30", cancelled.Subject);
        Assert.Contains("(02) 9000 1234", cancelled.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("/book", cancelled.TextBody, StringComparison.Ordinal);
    }

    private static CancellationNotice Move() => new()
    {
        Kind = NoticeKind.Move,
        PatientFirstName = "Mia",
        PatientLastName = "Harris",
        AppointmentTypeName = "Follow-up",
        PreviousStartUtc = Before,
        AppointmentStartUtc = After,
        CancelledByKind = CancellerKind.Reception,
        CancelledByName = "Sam Taylor",
    };
}
