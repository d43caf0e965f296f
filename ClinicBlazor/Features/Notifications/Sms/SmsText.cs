using System.Globalization;
using System.Text.RegularExpressions;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Settings;

namespace ClinicBlazor.Features.Notifications.Sms;

/// <summary>
/// The words of every SMS: one GSM-7 segment, the patient as first name and surname initial, no
/// appointment type, reason or other clinical detail, and always the delivery's reference at the
/// end ("Harbourside: Jane S. cancelled Tue 24 Nov 10:30. By reception. Ref K7P2"). When a long
/// clinic or first name would overflow, those are shortened; the reference never is.
/// </summary>
public static partial class SmsText
{
    private const int ShortestClinicName = 8;

    /// <summary>A notice delivery's SMS, made from the notice's fields, times in the clinic's zone and format.</summary>
    public static string For(CancellationNotice notice, DeliveryKind kind, Clinic clinic, string reference)
    {
        var start = clinic.ToLocal(notice.AppointmentStartUtc);
        var by = CancelledBy(notice.CancelledByKind, notice.CancelledByName);
        return (kind, notice.Kind) switch
        {
            (DeliveryKind.Reinstatement, _) => Reinstated(clinic.Name, notice.PatientFirstName, notice.PatientLastName, start, reference, clinic.TimeFormat),
            (_, NoticeKind.Move) => Moved(clinic.Name, notice.PatientFirstName, notice.PatientLastName, clinic.ToLocal(notice.PreviousStartUtc ?? notice.AppointmentStartUtc), start, notice.OtherPractitionerName, by, reference, clinic.TimeFormat),
            (_, NoticeKind.NewBooking) => Booked(clinic.Name, notice.PatientFirstName, notice.PatientLastName, start, by, reference, clinic.TimeFormat),
            _ => Cancelled(clinic.Name, notice.PatientFirstName, notice.PatientLastName, start, by, reference, clinic.TimeFormat),
        };
    }

    /// <summary>"Clinic: Mia H. moved Mon 30 Nov 09:30 to Tue 1 Dec 10:00. By reception. Ref K7P2" (or "… to Tom Nguyen, Tue 1 Dec 10:00").</summary>
    public static string Moved(string clinicName, string patientFirstName, string patientLastName, DateTime previousStartLocal, DateTime startLocal, string? toPractitioner, string movedBy, string reference, TimeFormat timeFormat = TimeFormat.TwentyFourHour) =>
        Fit(clinicName, patientFirstName, patientLastName, reference,
            (patient, by) => $"{patient} moved {When(previousStartLocal, timeFormat)} to {(toPractitioner is null ? "" : $"{Clean(toPractitioner)}, ")}{When(startLocal, timeFormat)}. By {by}.", movedBy);

    /// <summary>"Clinic: New booking: Mia H. Tue 1 Dec 10:00. By the patient. Ref K7P2".</summary>
    public static string Booked(string clinicName, string patientFirstName, string patientLastName, DateTime startLocal, string bookedBy, string reference, TimeFormat timeFormat = TimeFormat.TwentyFourHour) =>
        Fit(clinicName, patientFirstName, patientLastName, reference,
            (patient, by) => $"New booking: {patient} {When(startLocal, timeFormat)}. By {by}.", bookedBy);

    /// <summary>To a patient whose appointment the clinic cancelled: "Harbourside Physio: your appointment on Tue 24 Nov 10:30 is cancelled. To rebook call 02 9999 0000".</summary>
    public static string PatientCancelled(string clinicName, DateTime startLocal, string clinicPhone, TimeFormat timeFormat = TimeFormat.TwentyFourHour) =>
        ToPatient(clinicName, $"your appointment on {When(startLocal, timeFormat)} is cancelled.", clinicPhone.Length == 0 ? "" : $" To rebook call {clinicPhone}");

    /// <summary>To a patient whose appointment the clinic moved: "Harbourside Physio: your appointment on Mon 30 Nov 09:30 is moved to Tue 1 Dec 10:00 with Priya Patel. Questions: 02 9999 0000".</summary>
    public static string PatientMoved(string clinicName, DateTime previousStartLocal, DateTime startLocal, string practitionerName, string clinicPhone, TimeFormat timeFormat = TimeFormat.TwentyFourHour) =>
        ToPatient(clinicName, $"your appointment on {When(previousStartLocal, timeFormat)} is moved to {When(startLocal, timeFormat)} with {Clean(practitionerName)}.", clinicPhone.Length == 0 ? "" : $" Questions: {clinicPhone}");

    /// <summary>One segment: the clinic's name gives way first, then the end of the sentence; the phone number is kept whole.</summary>
    private static string ToPatient(string clinicName, string sentence, string phone)
    {
        var tail = Clean(phone).Length == 0 ? "" : " " + Clean(phone);
        var budget = Gsm7.SegmentSeptets - Gsm7.CountSeptets(tail);
        var clinic = Clean(clinicName);
        var body = Clean(sentence);
        string Head() => $"{(clinic.Length > 0 ? clinic + ": " : "")}{body}";
        clinic = Shorten(clinic, Gsm7.CountSeptets(Head()) - budget, ShortestClinicName);
        var head = Head();
        return (Gsm7.CountSeptets(head) > budget ? Gsm7.Truncate(head, budget).TrimEnd() : head) + tail;
    }

    /// <summary>Who cancelled, in a word or two: "reception", "the patient", "Dr Okafor".</summary>
    public static string CancelledBy(CancellerKind kind, string name) => kind switch
    {
        CancellerKind.Reception => "reception",
        CancellerKind.PatientOnline => "the patient",
        _ => name,
    };

    /// <summary>"Clinic: Jane S. cancelled Tue 24 Nov 10:30. By reception. Ref K7P2".</summary>
    /// <param name="startLocal">The appointment's start in the clinic's time zone.</param>
    /// <param name="cancelledBy">Who cancelled, in a word or two: "reception", "the patient", "Dr Okafor".</param>
    public static string Cancelled(string clinicName, string patientFirstName, string patientLastName, DateTime startLocal, string cancelledBy, string reference, TimeFormat timeFormat = TimeFormat.TwentyFourHour) =>
        Fit(clinicName, patientFirstName, patientLastName, reference,
            (patient, by) => $"{patient} cancelled {When(startLocal, timeFormat)}. By {by}.", cancelledBy);

    /// <summary>"Clinic: Reinstated: Jane S. Tue 24 Nov 10:30 is back on. Ref K7P2".</summary>
    public static string Reinstated(string clinicName, string patientFirstName, string patientLastName, DateTime startLocal, string reference, TimeFormat timeFormat = TimeFormat.TwentyFourHour) =>
        Fit(clinicName, patientFirstName, patientLastName, reference,
            (patient, _) => $"Reinstated: {patient} {When(startLocal, timeFormat)} is back on.", "");

    /// <summary>"Clinic: Test SMS. Cancellation notices will reach you like this. Ref K7P2".</summary>
    public static string Test(string clinicName, string reference) =>
        Fit(clinicName, "", "", reference, (_, _) => "Test SMS. Cancellation notices will reach you like this.", "");

    /// <summary>The reference at the end of a body ("Ref K7P2" → "K7P2"), or null.</summary>
    public static string? ReferenceOf(string? body)
    {
        var match = body is null ? Match.Empty : ReferencePattern().Match(body);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>"Jane S.": the surname only as an initial.</summary>
    public static string PatientName(string firstName, string lastName)
    {
        var first = firstName.Trim();
        var initial = lastName.Trim() is { Length: > 0 } last ? $"{char.ToUpperInvariant(last[0])}." : "";
        return string.Join(' ', new[] { first, initial }.Where(part => part.Length > 0));
    }

    /// <summary>"Tue 24 Nov 10:30", or "Tue 24 Nov 10:30 am" when the clinic writes 12-hour times.</summary>
    private static string When(DateTime startLocal, TimeFormat timeFormat) =>
        $"{startLocal.ToString("ddd d MMM", CultureInfo.InvariantCulture)} {timeFormat.Time(startLocal)}";

    private static string Fit(string clinicName, string firstName, string lastName, string reference, Func<string, string, string> sentence, string cancelledBy)
    {
        if (!DeliveryReference.IsValid(reference))
        {
            throw new ArgumentException($"\"{reference}\" is not a delivery reference.", nameof(reference));
        }

        var suffix = $" Ref {reference}";
        var budget = Gsm7.SegmentSeptets - Gsm7.CountSeptets(suffix);
        var clinic = Clean(clinicName);
        var first = Clean(firstName);
        var last = Clean(lastName);
        var by = Clean(cancelledBy);

        string Head() => $"{(clinic.Length > 0 ? clinic + ": " : "")}{sentence(PatientName(first, last), by)}";
        int Overflow() => Gsm7.CountSeptets(Head()) - budget;

        // Give way in order of what matters least to the reader: the clinic's name, then the
        // patient's first name (down to an initial), then who cancelled.
        clinic = Shorten(clinic, Overflow(), ShortestClinicName);
        first = Shorten(first, Overflow(), 1);
        by = Shorten(by, Overflow(), 1);

        var head = Head();
        if (Gsm7.CountSeptets(head) > budget)
        {
            head = Gsm7.Truncate(head, budget).TrimEnd();
        }

        return head + suffix;
    }

    private static string Shorten(string text, int overflow, int shortest)
    {
        if (overflow <= 0 || text.Length <= shortest)
        {
            return text;
        }

        var keep = Math.Max(shortest, Gsm7.CountSeptets(text) - overflow);
        return Gsm7.Truncate(text, keep).TrimEnd();
    }

    /// <summary>GSM-7 only, on one line, without doubled spaces.</summary>
    private static string Clean(string text) =>
        Whitespace().Replace(Gsm7.Replace(text).Replace('\n', ' ').Replace('\r', ' '), " ").Trim();

    [GeneratedRegex(@"\bRef ([A-Z0-9]{4,6})\s*$")]
    private static partial Regex ReferencePattern();

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex Whitespace();
}
