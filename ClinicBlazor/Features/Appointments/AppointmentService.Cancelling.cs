using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Notifications;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Appointments;

/// <summary>Cancelling and reinstating: the one way in for either, whatever the source.</summary>
public sealed partial class AppointmentService
{
    /// <summary>Cancels for a signed-in member of staff.</summary>
    public async Task<Result<Appointment>> CancelAsync(CancelAppointment command, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.UseCalendar);
        return await CancelAsync(command, new StaffCanceller(actor), cancellationToken);
    }

    /// <summary>
    /// The one way an appointment becomes cancelled. The caller has established who the canceller
    /// is: staff through <see cref="ClinicAuthorization"/>, a patient through their booking's token.
    /// </summary>
    public async Task<Result<Appointment>> CancelAsync(CancelAppointment command, Canceller canceller, CancellationToken cancellationToken = default)
    {
        if (canceller is StaffCanceller staff && !ClinicAuthorization.Allows(staff.Actor, Permission.UseCalendar))
        {
            throw new ClinicAuthorizationException($"{staff.Actor.DisplayName} is not allowed to cancel appointments.");
        }

        var note = string.IsNullOrWhiteSpace(command.Note) ? null : command.Note.Trim();
        if (note is { Length: > 1000 })
        {
            return Result.Fail("Keep the note under 1,000 characters.", nameof(command.Note));
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (transaction, appointment) = await BeginOnAppointmentAsync(db, command.AppointmentId, movingTo: null, cancellationToken);
        await using var _ = transaction;
        if (appointment is null)
        {
            return Result.Fail("That appointment no longer exists.");
        }

        if (canceller is PatientCanceller patient && patient.PatientId != appointment.PatientId)
        {
            throw new ClinicAuthorizationException("A patient can only cancel their own appointment.");
        }

        if (appointment.IsCancelled)
        {
            return Result.Fail("This appointment is already cancelled.");
        }

        if (command.ExpectedVersion is { } expected && expected != appointment.Version)
        {
            return Result.Fail(ChangedBySomeoneElse);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        appointment.Status = AppointmentStatus.Cancelled;
        appointment.CancelledAtUtc = now;
        appointment.CancelledByUserId = canceller.UserId;
        appointment.CancelledByName = canceller.Description;
        appointment.CancellationSource = canceller.Source;
        appointment.CancellationReason = command.Reason;
        appointment.CancellationNote = note;

        // Who is told is decided here, once, in the cancellation's own transaction.
        var notice = await notices.RecordAsync(db, appointment, canceller, now, cancellationToken);
        var queued = await patients.ConfirmToPatientAsync(db, appointment, canceller, now, cancellationToken)
                     | await patients.TellOfCancellationAsync(db, appointment, canceller, now, cancellationToken);

        if (!await TrySaveAsync(db, cancellationToken))
        {
            return Result.Fail(ChangedBySomeoneElse);
        }

        await transaction.CommitAsync(cancellationToken);
        await SignalAsync(queued ? now : null, ScheduleNotices.FirstDue([notice]));

        calendarNotifier.Publish(new CalendarChange(CalendarChangeKind.Cancelled, appointment.Id, appointment.PractitionerId, appointment.StartUtc, appointment.EndUtc));
        return Result<Appointment>.Ok(appointment);
    }

    /// <summary>Undo a cancellation (or Reinstate later), if the slot is still free.</summary>
    public async Task<Result<Appointment>> ReinstateAsync(int appointmentId, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.UseCalendar);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (transaction, appointment) = await BeginOnAppointmentAsync(db, appointmentId, movingTo: null, cancellationToken);
        await using var _ = transaction;
        if (appointment is null)
        {
            return Result.Fail("That appointment no longer exists.");
        }

        if (!appointment.IsCancelled)
        {
            return Result.Fail("This appointment is not cancelled.");
        }

        if (await OverlapsAsync(db, appointment.PractitionerId, appointment.StartUtc, appointment.EndUtc, appointment.Id, cancellationToken))
        {
            return Result.Fail("The slot has been taken since: this appointment cannot be reinstated. Book a new time instead.");
        }

        appointment.Status = AppointmentStatus.Booked;
        appointment.CancelledAtUtc = null;
        appointment.CancelledByUserId = null;
        appointment.CancelledByName = null;
        appointment.CancellationSource = null;
        appointment.CancellationReason = null;
        appointment.CancellationNote = null;

        // Unsent notices are dropped; one already sent gets a "Reinstated" follow-up.
        var now = clock.GetUtcNow().UtcDateTime;
        var followUp = await notices.ReinstatedAsync(db, appointment.Id, now, cancellationToken);

        if (!await TrySaveAsync(db, cancellationToken))
        {
            return Result.Fail(ChangedBySomeoneElse);
        }

        await transaction.CommitAsync(cancellationToken);
        await SignalAsync(followUp ? now : null, null);

        calendarNotifier.Publish(new CalendarChange(CalendarChangeKind.Reinstated, appointment.Id, appointment.PractitionerId, appointment.StartUtc, appointment.EndUtc));
        return Result<Appointment>.Ok(appointment);
    }
}
