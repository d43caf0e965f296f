using ClinicBlazor.Features.Settings;

namespace ClinicBlazor.Features.Notifications.Sms;

/// <summary>A notice delivery's SMS text, from the notice's fields (<see cref="SmsText"/> writes the words).</summary>
public static class NoticeSmsBody
{
    public static string For(NoticeDelivery delivery, CancellationNotice notice, Clinic clinic, string reference) => delivery.Kind == DeliveryKind.Reinstatement
        ? SmsText.Reinstated(clinic.Name, FirstName(notice.PatientName), LastName(notice.PatientName), clinic.ToLocal(notice.AppointmentStartUtc), reference)
        : SmsText.Cancelled(clinic.Name, FirstName(notice.PatientName), LastName(notice.PatientName), clinic.ToLocal(notice.AppointmentStartUtc), ShortCanceller(notice.CancelledBy), reference);

    private static string FirstName(string patientName) => patientName.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } parts ? parts[0] : "";

    private static string LastName(string patientName) => patientName.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries) is { Length: 2 } parts ? parts[1] : "";

    /// <summary>"Sam at reception" → "reception"; "the patient, online" → "the patient".</summary>
    private static string ShortCanceller(string cancelledBy)
    {
        if (cancelledBy.EndsWith(" at reception", StringComparison.OrdinalIgnoreCase))
        {
            return "reception";
        }

        var comma = cancelledBy.IndexOf(',', StringComparison.Ordinal);
        return comma > 0 ? cancelledBy[..comma] : cancelledBy;
    }
}
