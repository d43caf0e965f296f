using ClinicBlazor.Data;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Appointments;

/// <summary>
/// A booking: staff name an existing patient; a booking made online leaves <paramref name="PatientId"/>
/// 0, as its booker finds or adds the patient from the details the patient typed.
/// </summary>
public sealed record BookAppointment(int PatientId, int PractitionerId, int AppointmentTypeId, DateTime StartUtc);

public sealed record MoveAppointment(int AppointmentId, int PractitionerId, DateTime StartUtc, Guid ExpectedVersion);

public sealed record CancelAppointment(int AppointmentId, CancellationReason? Reason = null, string? Note = null, Guid? ExpectedVersion = null);

/// <summary>
/// Books, moves, cancels and reinstates appointments: the only code that changes an appointment and
/// the only one that publishes calendar updates. Every source of booking (calendar, Patients page,
/// online booking) comes through <see cref="BookAsync(BookAppointment, Booker, CancellationToken)"/>,
/// and every source of cancellation through <see cref="CancelAsync(CancelAppointment, Canceller, CancellationToken)"/>.
/// </summary>
public sealed class AppointmentService(
    IDbContextFactory<ClinicDbContext> dbFactory,
    ClinicAuthorization authorization,
    CalendarNotifier calendarNotifier,
    CancellationNotices notices,
    NoticeSignal noticeSignal,
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
        var type = await db.Set<AppointmentType>().FindAsync([command.AppointmentTypeId], cancellationToken);
        if (type is null || type.IsArchived)
        {
            return Result.Fail("Choose an appointment type.", nameof(command.AppointmentTypeId));
        }

        if (!await db.Set<Practitioner>().AnyAsync(p => p.Id == command.PractitionerId && p.IsActive, cancellationToken))
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

        // BEGIN IMMEDIATE: the booker's check, the overlap check and the insert see the same
        // database, so no slot is booked twice and two patients never both get the last online one.
        bool queued;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
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
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        if (queued)
        {
            await noticeSignal.DeliveriesDueAsync(now);
        }

        calendarNotifier.Publish(new CalendarChange(CalendarChangeKind.Booked, appointment.Id, appointment.PractitionerId, appointment.StartUtc, appointment.EndUtc));
        return Result<Appointment>.Ok(appointment);
    }

    public async Task<Result<Appointment>> MoveAsync(MoveAppointment command, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.UseCalendar);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var appointment = await db.Set<Appointment>().Include(a => a.AppointmentType)
            .SingleOrDefaultAsync(a => a.Id == command.AppointmentId, cancellationToken);
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

        // A move is not a cancellation: no notice is written here.
        appointment.PractitionerId = command.PractitionerId;
        appointment.StartUtc = command.StartUtc;
        appointment.EndUtc = end;
        if (!await TrySaveAsync(db, cancellationToken))
        {
            return Result.Fail(ChangedBySomeoneElse);
        }

        await transaction.CommitAsync(cancellationToken);
        calendarNotifier.Publish(new CalendarChange(CalendarChangeKind.Moved, appointment.Id, appointment.PractitionerId, appointment.StartUtc, appointment.EndUtc, previousStart, previousPractitioner));
        return Result<Appointment>.Ok(appointment);
    }

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
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var appointment = await db.Set<Appointment>().SingleOrDefaultAsync(a => a.Id == command.AppointmentId, cancellationToken);
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
        var confirmed = await notices.ConfirmToPatientAsync(db, appointment, canceller, now, cancellationToken);

        if (!await TrySaveAsync(db, cancellationToken))
        {
            return Result.Fail(ChangedBySomeoneElse);
        }

        await transaction.CommitAsync(cancellationToken);
        var due = confirmed ? now : notice.Deliveries.Where(d => d.State == DeliveryState.Pending).Select(d => (DateTime?)d.DueAtUtc).Min();
        if (due is { } dueUtc)
        {
            await noticeSignal.DeliveriesDueAsync(dueUtc);
        }

        calendarNotifier.Publish(new CalendarChange(CalendarChangeKind.Cancelled, appointment.Id, appointment.PractitionerId, appointment.StartUtc, appointment.EndUtc));
        return Result<Appointment>.Ok(appointment);
    }

    /// <summary>Undo a cancellation (or Reinstate later), if the slot is still free.</summary>
    public async Task<Result<Appointment>> ReinstateAsync(int appointmentId, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.UseCalendar);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var appointment = await db.Set<Appointment>().SingleOrDefaultAsync(a => a.Id == appointmentId, cancellationToken);
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
        if (followUp)
        {
            await noticeSignal.DeliveriesDueAsync(now);
        }

        calendarNotifier.Publish(new CalendarChange(CalendarChangeKind.Reinstated, appointment.Id, appointment.PractitionerId, appointment.StartUtc, appointment.EndUtc));
        return Result<Appointment>.Ok(appointment);
    }

    internal static Task<bool> OverlapsAsync(ClinicDbContext db, int practitionerId, DateTime startUtc, DateTime endUtc, int? exceptId, CancellationToken cancellationToken) =>
        db.Set<Appointment>().AnyAsync(
            a => a.PractitionerId == practitionerId
                 && a.Status == AppointmentStatus.Booked
                 && a.Id != exceptId
                 && a.StartUtc < endUtc
                 && a.EndUtc > startUtc,
            cancellationToken);

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

public static class AppointmentsExtensions
{
    public static WebApplicationBuilder AddAppointments(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CalendarNotifier>();
        builder.Services.AddScoped<AppointmentService>();
        return builder;
    }
}
