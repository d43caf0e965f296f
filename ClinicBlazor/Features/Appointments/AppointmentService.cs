using ClinicBlazor.Data;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Appointments;

/// <summary>
/// Books, moves, cancels and reinstates appointments: the only code that changes an appointment and
/// the only one that publishes calendar updates. Every source of booking (calendar, Patients page,
/// online booking) comes through <see cref="BookAsync(BookAppointment, Booker, CancellationToken)"/>,
/// and every source of cancellation through <see cref="CancelAsync(CancelAppointment, Canceller, CancellationToken)"/>
/// (in AppointmentService.Cancelling.cs, with reinstating). Who hears of a change is decided in the
/// change's own transaction: the practitioners by <see cref="ScheduleNotices"/>, the patient by <see cref="PatientNotices"/>.
/// </summary>
public sealed partial class AppointmentService(
    IDbContextFactory<ClinicDbContext> dbFactory,
    ClinicAuthorization authorization,
    CalendarNotifier calendarNotifier,
    ScheduleNotices notices,
    PatientNotices patients,
    NoticeSignal noticeSignal,
    IDatabaseEngine engine,
    TimeProvider clock)
{
    public const string ChangedBySomeoneElse = "This appointment was changed by someone else. Close it and open it again to see the latest.";
    public const string SlotTaken = "That time overlaps another appointment of this practitioner.";

    /// <summary>Books for a signed-in member of staff.</summary>
    public async Task<Result<Appointment>> BookAsync(BookAppointment command, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.UseCalendar);
        return await BookAsync(command, new StaffBooker(actor), cancellationToken);
    }

    /// <summary>
    /// The one way an appointment is booked, from the calendar, the Patients page or the public
    /// booking page. The caller has established who the booker is: staff through
    /// <see cref="ClinicAuthorization"/>, a patient by the online booking's rules.
    /// </summary>
    public async Task<Result<Appointment>> BookAsync(BookAppointment command, Booker booker, CancellationToken cancellationToken = default)
    {
        if (booker is StaffBooker staff && !ClinicAuthorization.Allows(staff.Actor, Permission.UseCalendar))
        {
            throw new ClinicAuthorizationException($"{staff.Actor.DisplayName} is not allowed to book appointments.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var chosen = await db.Set<AppointmentType>()
            .Where(t => t.Id == command.AppointmentTypeId)
            .Select(t => new { Type = t, PractitionerActive = db.Set<Practitioner>().Any(p => p.Id == command.PractitionerId && p.IsActive) })
            .SingleOrDefaultAsync(cancellationToken);
        if (chosen is not { Type: { IsArchived: false } type })
        {
            return Result.Fail("Choose an appointment type.", nameof(command.AppointmentTypeId));
        }

        if (!chosen.PractitionerActive)
        {
            return Result.Fail("Choose a practitioner.", nameof(command.PractitionerId));
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var appointment = new Appointment
        {
            PractitionerId = command.PractitionerId,
            AppointmentTypeId = type.Id,
            StartUtc = command.StartUtc,
            EndUtc = command.StartUtc.AddMinutes(type.DurationMinutes),
            BookedAtUtc = now,
            BookedByUserId = booker.UserId,
            BookedOnline = booker.Online,
            ManageTokenHash = booker.ManageTokenHash,
        };

        // The practitioner's schedule is held from the first read: the booker's check, the overlap
        // check and the insert see the same schedule, so no slot is booked twice and two patients
        // never both get the last online one (BEGIN IMMEDIATE on SQLite, the schedule lock on PostgreSQL).
        bool queued;
        DateTime? notice;
        await using (var transaction = await engine.BeginScheduleTransactionAsync(db, appointmentId: null, [command.PractitionerId], cancellationToken))
        {
            if (await booker.RefuseAsync(db, command, cancellationToken) is { } refused)
            {
                return refused;
            }

            appointment.Patient = await booker.PatientAsync(db, command, cancellationToken);
            if (appointment.Patient is null)
            {
                return Result.Fail("Choose a patient.", nameof(command.PatientId));
            }

            if (await OverlapsAsync(db, appointment.PractitionerId, appointment.StartUtc, appointment.EndUtc, exceptId: null, cancellationToken))
            {
                return Result.Fail(SlotTaken, nameof(command.StartUtc));
            }

            db.Add(appointment);
            await db.SaveChangesAsync(cancellationToken);
            queued = await booker.BookedAsync(db, appointment, cancellationToken);
            notice = ScheduleNotices.FirstDue(await notices.RecordBookingAsync(db, appointment, booker, now, cancellationToken));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await SignalAsync(queued ? now : null, notice);

        calendarNotifier.Publish(new CalendarChange(CalendarChangeKind.Booked, appointment.Id, appointment.PractitionerId, appointment.StartUtc, appointment.EndUtc));
        return Result<Appointment>.Ok(appointment);
    }

    /// <summary>
    /// Moves an appointment to another time or practitioner. A move is not a cancellation: it tells
    /// the practitioners who chose to hear of moves and new bookings, and the patient under the
    /// clinic's setting.
    /// </summary>
    public async Task<Result<Appointment>> MoveAsync(MoveAppointment command, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.UseCalendar);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (transaction, appointment) = await BeginOnAppointmentAsync(db, command.AppointmentId, command.PractitionerId, cancellationToken);
        await using var _ = transaction;
        if (appointment is null || appointment.Version != command.ExpectedVersion)
        {
            return Result.Fail(ChangedBySomeoneElse);
        }

        if (appointment.IsCancelled)
        {
            return Result.Fail("A cancelled appointment cannot be moved. Reinstate it first.");
        }

        if (!await db.Set<Practitioner>().AnyAsync(p => p.Id == command.PractitionerId && p.IsActive, cancellationToken))
        {
            return Result.Fail("Choose a practitioner.", nameof(command.PractitionerId));
        }

        var previousStart = appointment.StartUtc;
        var previousPractitioner = appointment.PractitionerId;
        var duration = appointment.EndUtc - appointment.StartUtc;
        var end = command.StartUtc + duration;
        if (await OverlapsAsync(db, command.PractitionerId, command.StartUtc, end, appointment.Id, cancellationToken))
        {
            return Result.Fail(SlotTaken, nameof(command.StartUtc));
        }

        appointment.PractitionerId = command.PractitionerId;
        appointment.StartUtc = command.StartUtc;
        appointment.EndUtc = end;
        (DateTime? Notice, DateTime? Queued) due = default;
        if (previousStart != appointment.StartUtc || previousPractitioner != appointment.PractitionerId)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            due.Notice = ScheduleNotices.FirstDue(await notices.RecordMoveAsync(db, appointment, previousPractitioner, previousStart, actor, now, cancellationToken));
            due.Queued = await patients.TellOfMoveAsync(db, appointment, previousPractitioner, previousStart, now, cancellationToken) ? now : null;
        }

        if (!await TrySaveAsync(db, cancellationToken))
        {
            return Result.Fail(ChangedBySomeoneElse);
        }

        await transaction.CommitAsync(cancellationToken);
        await SignalAsync(due.Queued, due.Notice);
        calendarNotifier.Publish(new CalendarChange(CalendarChangeKind.Moved, appointment.Id, appointment.PractitionerId, appointment.StartUtc, appointment.EndUtc, previousStart, previousPractitioner));
        return Result<Appointment>.Ok(appointment);
    }

    /// <summary>
    /// Begins a change to an appointment holding its practitioner's schedule (and, for a move, the
    /// schedule of <paramref name="movingTo"/>, with the appointment's type), and reads it as it now
    /// stands (null when it is gone).
    /// </summary>
    private async Task<(ScheduleTransaction Transaction, Appointment? Appointment)> BeginOnAppointmentAsync(ClinicDbContext db, int appointmentId, int? movingTo, CancellationToken cancellationToken)
    {
        while (true)
        {
            var transaction = await engine.BeginScheduleTransactionAsync(db, appointmentId, movingTo is { } to ? [to] : [], cancellationToken);
            IQueryable<Appointment> appointments = movingTo is null ? db.Set<Appointment>() : db.Set<Appointment>().Include(a => a.AppointmentType);
            var appointment = await appointments.SingleOrDefaultAsync(a => a.Id == appointmentId, cancellationToken);
            if (appointment is null || transaction.Holds(appointment.PractitionerId))
            {
                return (transaction, appointment);
            }

            // It was moved to another practitioner while this waited for the schedule: begin again with theirs.
            await transaction.DisposeAsync();
            db.ChangeTracker.Clear();
        }
    }

    internal static Task<bool> OverlapsAsync(ClinicDbContext db, int practitionerId, DateTime startUtc, DateTime endUtc, int? exceptId, CancellationToken cancellationToken) =>
        db.Set<Appointment>().AnyAsync(
            a => a.PractitionerId == practitionerId
                 && a.Status == AppointmentStatus.Booked
                 && a.Id != exceptId
                 && a.StartUtc < endUtc
                 && a.EndUtc > startUtc,
            cancellationToken);

    /// <summary>After the commit: the dispatcher is woken for the earliest of what now waits to be sent.</summary>
    private async Task SignalAsync(DateTime? dueUtc, DateTime? otherDueUtc)
    {
        if (new[] { dueUtc, otherDueUtc }.Min() is { } due)
        {
            await noticeSignal.DeliveriesDueAsync(due);
        }
    }

    private static async Task<bool> TrySaveAsync(ClinicDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            return false;
        }
    }
}

