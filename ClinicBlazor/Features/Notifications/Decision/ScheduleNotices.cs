using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// The practitioners' side of cancelling, moving, booking and reinstating, run inside
/// <see cref="AppointmentService"/>'s transaction on its context: who is told is decided once, by
/// <see cref="NoticePolicy"/>, with the settings as they are now; a change undone before its notice
/// went out (a move moved back, a new booking cancelled, a cancellation reinstated) drops it.
/// </summary>
public sealed class ScheduleNotices(IOptions<NotificationsOptions> options)
{
    private sealed record AppointmentDetails(string FirstName, string LastName, string TypeName);

    /// <summary>Adds the notice (and its deliveries) for a cancellation to <paramref name="db"/>; the caller saves and commits.</summary>
    public async Task<CancellationNotice> RecordAsync(ClinicDbContext db, Appointment appointment, Canceller canceller, DateTime nowUtc, CancellationToken cancellationToken)
    {
        // One query: the practitioner as stored, the details, and the open notices with their
        // deliveries (tracked: the fix-up fills each notice's Deliveries).
        var row = await db.Set<Appointment>()
            .Where(a => a.Id == appointment.Id)
            .Select(a => new
            {
                a.Practitioner,
                Details = new AppointmentDetails(a.Patient!.FirstName, a.Patient.LastName, a.AppointmentType!.Name),
                Open = db.Set<CancellationNotice>().Where(n => n.AppointmentId == a.Id && n.ReinstatedAtUtc == null)
                    .OrderBy(n => n.Id).Select(n => new { Notice = n, n.Deliveries }).ToList(),
            })
            .SingleAsync(cancellationToken);

        // A new-booking notice not yet sent goes with the booking; the cancellation follows its own rule.
        foreach (var booked in row.Open.Select(o => o.Notice))
        {
            if (booked.Kind == NoticeKind.NewBooking && !booked.ReachedAProvider)
            {
                booked.Undo(nowUtc, NoticeDelivery.BookingCancelledReason);
            }
        }

        return Record(db, NoticeKind.Cancellation, appointment, row.Practitioner!, row.Details, ScheduleActor.Of(canceller), nowUtc)!;
    }

    /// <summary>A new booking: the practitioner's notice when they chose to hear of new bookings.</summary>
    public async Task<IReadOnlyList<CancellationNotice>> RecordBookingAsync(ClinicDbContext db, Appointment appointment, Booker booker, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var (practitioner, details) = await PractitionerAndDetailsAsync(db, appointment.Id, cancellationToken);
        return Record(db, NoticeKind.NewBooking, appointment, practitioner, details, ScheduleActor.Of(booker), nowUtc) is { } notice ? [notice] : [];
    }

    /// <summary>
    /// A move (the appointment already carries its new practitioner and start): a move notice for the
    /// practitioner it was with, and, when it changed hands, a new-booking notice for the one who has
    /// it now. Moved back to where an unsent move found it, that move, everything since and this one
    /// cancel out: their deliveries are dropped, nothing is sent.
    /// </summary>
    public async Task<IReadOnlyList<CancellationNotice>> RecordMoveAsync(ClinicDbContext db, Appointment appointment, int previousPractitionerId, DateTime previousStartUtc, Actor mover, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var actor = ScheduleActor.Of(mover);
        var details = await DetailsAsync(db, appointment.Id, cancellationToken);
        var practitioner = await PractitionerAsync(db, appointment.PractitionerId, cancellationToken);
        var recorded = new List<CancellationNotice?>();
        if (previousPractitionerId == appointment.PractitionerId)
        {
            recorded.Add(Record(db, NoticeKind.Move, appointment, practitioner, details, actor, nowUtc, previousStartUtc));
        }
        else
        {
            var previous = await PractitionerAsync(db, previousPractitionerId, cancellationToken);
            recorded.Add(Record(db, NoticeKind.Move, appointment, previous, details, actor, nowUtc, previousStartUtc, practitioner.DisplayName));
            recorded.Add(Record(db, NoticeKind.NewBooking, appointment, practitioner, details, actor, nowUtc, previousStartUtc, previous.DisplayName));
        }

        var open = (await OpenNoticesAsync(db, appointment.Id, cancellationToken)).Where(n => n.Kind != NoticeKind.Cancellation).ToList();
        // Where the burst began: the move notice of the practitioner it is back with, or, when they keep
        // none (moves not chosen), the new-booking notice that the move away gave the other practitioner.
        var back = open.FindIndex(n => n.PreviousStartUtc == appointment.StartUtc
            && ((n.Kind == NoticeKind.Move && n.PractitionerId == appointment.PractitionerId)
                || (n.Kind == NoticeKind.NewBooking && n.OtherPractitionerName == practitioner.DisplayName)));
        if (back >= 0 && !open.Skip(back).Any(n => n.ReachedAProvider))
        {
            foreach (var undone in open.Skip(back).Concat(recorded.OfType<CancellationNotice>()))
            {
                undone.Undo(nowUtc, NoticeDelivery.MoveUndoneReason);
            }
        }

        return recorded.OfType<CancellationNotice>().ToList();
    }

    /// <summary>When the earliest of these notices' deliveries is due, or null when none waits.</summary>
    public static DateTime? FirstDue(IEnumerable<CancellationNotice> notices) =>
        notices.SelectMany(n => n.Deliveries).Where(d => d.State == DeliveryState.Pending).Select(d => (DateTime?)d.DueAtUtc).Min();

    /// <summary>
    /// The cancellation was undone: unsent deliveries are dropped; a delivery already handed to the
    /// provider (mail server or Twilio) gets a follow-up on the same channel. One still in <c>Sending</c> or <c>Unknown</c> is finished or reconciled by the dispatcher, which
    /// adds the follow-up if it turns out sent. Returns whether anything new is waiting to be sent.
    /// </summary>
    public async Task<bool> ReinstatedAsync(ClinicDbContext db, int appointmentId, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var notice = await db.Set<CancellationNotice>().Include(n => n.Deliveries)
            .Where(n => n.AppointmentId == appointmentId && n.Kind == NoticeKind.Cancellation && n.ReinstatedAtUtc == null)
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

    /// <summary>The decision for one practitioner, as a notice added to <paramref name="db"/>; null when it is not kept (<see cref="NoticePolicy.KeepsHistory"/>).</summary>
    private CancellationNotice? Record(
        ClinicDbContext db,
        NoticeKind kind,
        Appointment appointment,
        Practitioner practitioner,
        AppointmentDetails details,
        ScheduleActor actor,
        DateTime nowUtc,
        DateTime? previousStartUtc = null,
        string? otherPractitionerName = null)
    {
        var settings = new NoticeSettings(practitioner.NotificationMethod, practitioner.NotifyWithinDays, practitioner.NotifyOfMoves, practitioner.NotifyOfNewBookings);
        var byThePractitioner = actor.Is(practitioner.UserId);
        var decision = NoticePolicy.Decide(kind, settings, byThePractitioner, appointment.StartUtc, nowUtc, kind == NoticeKind.Move ? previousStartUtc : null);
        if (!NoticePolicy.KeepsHistory(kind, decision))
        {
            return null;
        }

        var notice = new CancellationNotice
        {
            Kind = kind,
            AppointmentId = appointment.Id,
            PractitionerId = practitioner.Id,
            CancelledAtUtc = nowUtc,
            AppointmentStartUtc = appointment.StartUtc,
            PreviousStartUtc = previousStartUtc,
            OtherPractitionerName = otherPractitionerName,
            PatientFirstName = details.FirstName.Trim(),
            PatientLastName = details.LastName.Trim(),
            AppointmentTypeName = details.TypeName,
            CancelledByKind = byThePractitioner ? CancellerKind.Self : actor.Kind,
            CancelledByName = actor.Name,
            CancelledByUserId = actor.UserId,
            ReasonCode = kind == NoticeKind.Cancellation ? appointment.CancellationReason : null,
            Note = kind == NoticeKind.Cancellation ? appointment.CancellationNote : null,
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

    /// <summary>The appointment's notices not undone, oldest first, with their deliveries.</summary>
    private static Task<List<CancellationNotice>> OpenNoticesAsync(ClinicDbContext db, int appointmentId, CancellationToken cancellationToken) =>
        db.Set<CancellationNotice>().Include(n => n.Deliveries)
            .Where(n => n.AppointmentId == appointmentId && n.ReinstatedAtUtc == null)
            .OrderBy(n => n.Id)
            .ToListAsync(cancellationToken);

    private static Task<Practitioner> PractitionerAsync(ClinicDbContext db, int practitionerId, CancellationToken cancellationToken) =>
        db.Set<Practitioner>().AsNoTracking().SingleAsync(p => p.Id == practitionerId, cancellationToken);

    /// <summary>
    /// The appointment's practitioner as stored (not for a move, whose new practitioner is not saved
    /// yet) and its details, in one query.
    /// </summary>
    private static async Task<(Practitioner Practitioner, AppointmentDetails Details)> PractitionerAndDetailsAsync(ClinicDbContext db, int appointmentId, CancellationToken cancellationToken)
    {
        var row = await db.Set<Appointment>().AsNoTracking()
            .Where(a => a.Id == appointmentId)
            .Select(a => new { a.Practitioner, Details = new AppointmentDetails(a.Patient!.FirstName, a.Patient.LastName, a.AppointmentType!.Name) })
            .SingleAsync(cancellationToken);
        return (row.Practitioner!, row.Details);
    }

    private static Task<AppointmentDetails> DetailsAsync(ClinicDbContext db, int appointmentId, CancellationToken cancellationToken) =>
        db.Set<Appointment>().AsNoTracking()
            .Where(a => a.Id == appointmentId)
            .Select(a => new AppointmentDetails(a.Patient!.FirstName, a.Patient.LastName, a.AppointmentType!.Name))
            .SingleAsync(cancellationToken);
}
