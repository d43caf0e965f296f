using ClinicBlazor.Data;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Patients;

namespace ClinicBlazor.Features.Appointments;

/// <summary>
/// Who books an appointment, as <see cref="Canceller"/> says who cancels one. What differs between a
/// member of staff and a patient online (which slots they may take, who the patient is, what is
/// written with the booking) are the steps below, which
/// <see cref="AppointmentService.BookAsync(BookAppointment, Booker, CancellationToken)"/> runs inside
/// the booking's transaction.
/// </summary>
public abstract class Booker
{
    /// <summary>The member of staff who books; null for a patient online.</summary>
    public abstract string? UserId { get; }

    public virtual bool Online => false;

    /// <summary>Who books, as a practitioner's new-booking notice names them.</summary>
    public abstract CancellerKind Kind { get; }

    /// <summary>A member of staff's display name; empty for a patient online.</summary>
    public abstract string Name { get; }

    /// <summary>The hash of the patient's private link, for a booking made online.</summary>
    public virtual byte[]? ManageTokenHash => null;

    /// <summary>Before the insert: why this booker may not have this slot, or null when they may.</summary>
    protected internal virtual Task<Result?> RefuseAsync(ClinicDbContext db, BookAppointment command, CancellationToken cancellationToken) =>
        Task.FromResult<Result?>(null);

    /// <summary>The patient the appointment is for, tracked by <paramref name="db"/>, or null when there is none.</summary>
    protected internal abstract Task<Patient?> PatientAsync(ClinicDbContext db, BookAppointment command, CancellationToken cancellationToken);

    /// <summary>After the insert: what is written with the booking. Returns whether a message now waits to be sent.</summary>
    protected internal virtual Task<bool> BookedAsync(ClinicDbContext db, Appointment appointment, CancellationToken cancellationToken) =>
        Task.FromResult(false);
}

/// <summary>A signed-in member of staff, from the calendar or the Patients page: any free time, an existing patient.</summary>
public sealed class StaffBooker(Actor actor) : Booker
{
    public Actor Actor => actor;

    public override string? UserId => actor.UserId;

    public override CancellerKind Kind => StaffCanceller.KindOf(actor);

    public override string Name => actor.DisplayName;

    protected internal override async Task<Patient?> PatientAsync(ClinicDbContext db, BookAppointment command, CancellationToken cancellationToken) =>
        await db.Set<Patient>().FindAsync([command.PatientId], cancellationToken);
}
