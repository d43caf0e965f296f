using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// The notice side of cancelling and reinstating, run inside <see cref="AppointmentService"/>'s
/// transaction on its context: the decision is made once, with the settings as they are now.
/// </summary>
public sealed class CancellationNotices(IOptions<NotificationsOptions> options)
{
    /// <summary>Adds the notice (and its deliveries) for a cancellation to <paramref name="db"/>; the caller saves and commits.</summary>
    public async Task<CancellationNotice> RecordAsync(ClinicDbContext db, Appointment appointment, Canceller canceller, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var practitioner = await db.Set<Practitioner>().AsNoTracking().SingleAsync(p => p.Id == appointment.PractitionerId, cancellationToken);
        var details = await db.Set<Appointment>().AsNoTracking()
            .Where(a => a.Id == appointment.Id)
            .Select(a => new { a.Patient!.FirstName, a.Patient.LastName, TypeName = a.AppointmentType!.Name })
            .SingleAsync(cancellationToken);

        var settings = new NoticeSettings(practitioner.NotificationMethod, practitioner.NotifyWithinDays);
        var byThePractitioner = canceller.UserId is not null && canceller.UserId == practitioner.UserId;
        var decision = CancellationPolicy.Decide(settings, byThePractitioner, appointment.StartUtc, nowUtc);

        var notice = new CancellationNotice
        {
            AppointmentId = appointment.Id,
            PractitionerId = practitioner.Id,
            CancelledAtUtc = nowUtc,
            AppointmentStartUtc = appointment.StartUtc,
            PatientFirstName = details.FirstName.Trim(),
            PatientLastName = details.LastName.Trim(),
            AppointmentTypeName = details.TypeName,
            CancelledByKind = byThePractitioner ? CancellerKind.Self : canceller.Kind,
            CancelledByName = canceller.Name,
            CancelledByUserId = canceller.UserId,
            ReasonCode = appointment.CancellationReason,
            Note = appointment.CancellationNote,
            Method = practitioner.NotificationMethod,
            Email = practitioner.NotificationEmail,
            MobileE164 = practitioner.MobileE164,
            SuppressionReason = decision.SuppressionReason,
        };

        if (decision.Notifies)
        {
            var due = nowUtc.AddSeconds(options.Value.BatchWindowSeconds);
            if (practitioner.NotificationMethod.UsesEmail())
            {
                notice.AddDelivery(NoticeChannel.Email, DeliveryKind.Cancellation, nowUtc, due);
            }

            if (practitioner.NotificationMethod.UsesSms())
            {
                notice.AddDelivery(NoticeChannel.Sms, DeliveryKind.Cancellation, nowUtc, due);
            }
        }

        db.Add(notice);
        return notice;
    }

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

        var details = await db.Set<Appointment>().AsNoTracking()
            .Where(a => a.Id == appointment.Id)
            .Select(a => new { a.Patient!.FirstName, a.Patient.Email, Type = a.AppointmentType!.Name, Practitioner = a.Practitioner!.DisplayName })
            .SingleAsync(cancellationToken);
        if (details.Email.Length == 0)
        {
            return false;
        }

        var clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync(cancellationToken);
        var email = NoticeMessages.PatientCancellation(details.Email, details.FirstName, details.Type, details.Practitioner, appointment.StartUtc, clinic);
        OutboxQueue.Email(db, email, NoticeMessages.PatientCancellationKind, practitionerId: null, nowUtc);
        return true;
    }

    /// <summary>
    /// The cancellation was undone: unsent deliveries are dropped; a delivery already handed to the
    /// provider (mail server or Twilio) gets a follow-up on the same channel. One still in <c>Sending</c> or <c>Unknown</c> is finished or reconciled by the dispatcher, which
    /// adds the follow-up if it turns out sent. Returns whether anything new is waiting to be sent.
    /// </summary>
    public async Task<bool> ReinstatedAsync(ClinicDbContext db, int appointmentId, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var notice = await db.Set<CancellationNotice>().Include(n => n.Deliveries)
            .Where(n => n.AppointmentId == appointmentId && n.ReinstatedAtUtc == null)
            .OrderByDescending(n => n.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (notice is null)
        {
            return false;
        }

        notice.ReinstatedAtUtc = nowUtc;
        var followUp = false;
        foreach (var delivery in notice.Deliveries.Where(d => d.Kind == DeliveryKind.Cancellation).ToList())
        {
            if (delivery.State is DeliveryState.Pending or DeliveryState.Retrying)
            {
                delivery.Drop(nowUtc);
            }
            else if (delivery.State is DeliveryState.Sent or DeliveryState.Delivered or DeliveryState.Undelivered)
            {
                followUp |= notice.FollowUpIfReinstated(delivery, nowUtc);
            }
        }

        return followUp;
    }
}
