using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications.Sms;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// The patient's side of a change, queued through the outbox in the change's transaction: the
/// confirmation of their own online cancellation, and, when the clinic cancels or moves their
/// appointment, a message in the clinic's name under the clinic's setting "Tell patients when the
/// clinic cancels or moves their appointment" (email on, SMS off by default; an SMS costs one
/// credit when it is claimed, and when the clinic does not email them, one that cannot go falls back
/// to an email). Never the reason's note; always the clinic's phone, and the online booking link
/// when online bookings are on.
/// </summary>
public sealed class PatientNotices(NoticeLinks links)
{
    public const string CancelledKind = "Patient: cancelled by the clinic";
    public const string MovedKind = "Patient: appointment moved";

    private sealed record PatientDetails(string FirstName, string Email, string MobileE164, string Type, string Practitioner, Clinic Clinic);

    /// <summary>
    /// A patient who cancelled online themselves gets an email confirming it, queued in the
    /// cancellation's transaction like their booking confirmation. Returns whether one was queued.
    /// </summary>
    public async Task<bool> ConfirmToPatientAsync(ClinicDbContext db, Appointment appointment, Canceller canceller, DateTime nowUtc, CancellationToken cancellationToken)
    {
        if (canceller is not PatientCanceller)
        {
            return false;
        }

        var details = await DetailsAsync(db, appointment.Id, appointment.PractitionerId, cancellationToken);
        if (details.Email.Length == 0)
        {
            return false;
        }

        var clinic = details.Clinic;
        var email = NoticeMessages.PatientCancellation(details.Email, details.FirstName, details.Type, details.Practitioner, appointment.StartUtc, clinic);
        OutboxQueue.Email(db, email, NoticeMessages.PatientCancellationKind, practitionerId: null, nowUtc);
        return true;
    }

    /// <summary>The patient is told that staff cancelled their appointment (not one that has started). Returns whether anything was queued.</summary>
    public async Task<bool> TellOfCancellationAsync(ClinicDbContext db, Appointment appointment, Canceller canceller, DateTime nowUtc, CancellationToken cancellationToken)
    {
        if (canceller is not StaffCanceller || appointment.StartUtc <= nowUtc)
        {
            return false;
        }

        var details = await DetailsAsync(db, appointment.Id, appointment.PractitionerId, cancellationToken);
        var clinic = details.Clinic;
        var rebook = RebookingLink(clinic);
        return await QueueAsync(
            db,
            clinic,
            details,
            CancelledKind,
            to => NoticeMessages.PatientCancelledByClinic(to, details.FirstName, details.Type, details.Practitioner, appointment.StartUtc, clinic, rebook),
            SmsText.PatientCancelled(clinic.Name, clinic.ToLocal(appointment.StartUtc), clinic.Phone, clinic.TimeFormat),
            nowUtc,
            cancellationToken);
    }

    /// <summary>The patient is told that staff moved their appointment (unless both times have passed). Returns whether anything was queued.</summary>
    public async Task<bool> TellOfMoveAsync(ClinicDbContext db, Appointment appointment, int previousPractitionerId, DateTime previousStartUtc, DateTime nowUtc, CancellationToken cancellationToken)
    {
        if (appointment.StartUtc <= nowUtc && previousStartUtc <= nowUtc)
        {
            return false;
        }

        var details = await DetailsAsync(db, appointment.Id, appointment.PractitionerId, cancellationToken);
        var previousPractitioner = previousPractitionerId == appointment.PractitionerId
            ? null
            : await db.Set<Practitioner>().Where(p => p.Id == previousPractitionerId).Select(p => p.DisplayName).SingleAsync(cancellationToken);
        var clinic = details.Clinic;
        var rebook = RebookingLink(clinic);
        return await QueueAsync(
            db,
            clinic,
            details,
            MovedKind,
            to => NoticeMessages.PatientMoved(to, details.FirstName, details.Type, details.Practitioner, previousPractitioner, previousStartUtc, appointment.StartUtc, clinic, rebook),
            SmsText.PatientMoved(clinic.Name, clinic.ToLocal(previousStartUtc), clinic.ToLocal(appointment.StartUtc), details.Practitioner, clinic.Phone, clinic.TimeFormat),
            nowUtc,
            cancellationToken);
    }

    /// <summary>The public booking page, when online bookings are on.</summary>
    private string? RebookingLink(Clinic clinic) => clinic.OnlineBookingEnabled ? $"{links.BaseUrl.TrimEnd('/')}/book" : null;

    private static async Task<bool> QueueAsync(ClinicDbContext db, Clinic clinic, PatientDetails patient, string kind, Func<string, Email.EmailMessage> email, string sms, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var byEmail = clinic.TellPatientsByEmail && patient.Email.Length > 0;
        var bySms = clinic.TellPatientsBySms && patient.MobileE164.Length > 0;
        if (byEmail)
        {
            OutboxQueue.Email(db, email(patient.Email), kind, practitionerId: null, nowUtc);
        }

        if (bySms)
        {
            var text = OutboxQueue.Sms(db, patient.MobileE164, sms, kind, practitionerId: null, nowUtc);
            if (!byEmail && patient.Email.Length > 0)
            {
                // Not sent unless the SMS cannot go (no credits, a number the provider refuses).
                await OutboxQueue.FallbackEmailAsync(db, email(patient.Email), kind, text, nowUtc, cancellationToken);
            }
        }

        return byEmail || bySms;
    }

    /// <summary>The patient, the appointment's type and practitioner, and the clinic (its one row), in one query.</summary>
    private static Task<PatientDetails> DetailsAsync(ClinicDbContext db, int appointmentId, int practitionerId, CancellationToken cancellationToken) =>
        (from a in db.Set<Appointment>().AsNoTracking()
         where a.Id == appointmentId
         from clinic in db.Set<Clinic>().AsNoTracking()
         select new PatientDetails(
             a.Patient!.FirstName,
             a.Patient.Email,
             a.Patient.MobileE164,
             a.AppointmentType!.Name,
             db.Set<Practitioner>().Where(p => p.Id == practitionerId).Select(p => p.DisplayName).FirstOrDefault() ?? "",
             clinic))
        .SingleAsync(cancellationToken);
}
