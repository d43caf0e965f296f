using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Settings;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.OnlineBookings;

/// <summary>
/// A patient on the public booking page: only a time still offered online, the patient found by
/// their details or added, and their confirmation email (with the private link, kept encrypted)
/// queued in the booking's transaction for the dispatcher to send.
/// </summary>
internal sealed class OnlineBooker(
    Clinic clinic,
    PatientDetailsInput details,
    string mobileE164,
    string manageLinkBase,
    OnlineSlots slots,
    PrivateLinks privateLinks,
    IDatabaseEngine engine,
    TimeProvider clock) : Booker
{
    private readonly (string Token, byte[] Hash) link = BookingToken.Create();

    public override string? UserId => null;

    public override bool Online => true;

    public override CancellerKind Kind => CancellerKind.PatientOnline;

    public override string Name => "";

    public override byte[]? ManageTokenHash => link.Hash;

    /// <summary>What the patient is shown once booked; set when the booking is written.</summary>
    public BookingConfirmation? Confirmation { get; private set; }

    protected internal override async Task<Result?> RefuseAsync(ClinicDbContext db, BookAppointment command, CancellationToken cancellationToken)
    {
        var day = DateOnly.FromDateTime(clinic.ToLocal(command.StartUtc));
        var free = await slots.FreeAsync(db, command.PractitionerId, command.AppointmentTypeId, day, cancellationToken);
        return free.Any(s => s.StartUtc == command.StartUtc) ? null : Result.Fail(OnlineBookingService.SlotJustTaken, "Slot");
    }

    protected internal override async Task<Patient?> PatientAsync(ClinicDbContext db, BookAppointment command, CancellationToken cancellationToken)
    {
        var email = details.Email.Trim();
        var first = details.FirstName.Trim();
        var last = details.LastName.Trim();

        // The same person booking again keeps one record, even twice at once (with two practitioners:
        // their schedules do not keep them apart); nothing about the match is shown to the visitor.
        await engine.LockPatientDetailsAsync(db, email, cancellationToken);
        var existing = await db.Set<Patient>()
            .Where(p => EF.Functions.Collate(p.Email, "NOCASE") == email
                        && EF.Functions.Collate(p.FirstName, "NOCASE") == first
                        && EF.Functions.Collate(p.LastName, "NOCASE") == last)
            .FirstOrDefaultAsync(cancellationToken);
        return existing ?? new Patient { FirstName = first, LastName = last, Email = email, MobileE164 = mobileE164, CreatedAtUtc = clock.GetUtcNow().UtcDateTime };
    }

    protected internal override async Task<bool> BookedAsync(ClinicDbContext db, Appointment appointment, CancellationToken cancellationToken)
    {
        var names = await db.Set<Appointment>().AsNoTracking()
            .Where(a => a.Id == appointment.Id)
            .Select(a => new { Practitioner = a.Practitioner!.DisplayName, Type = a.AppointmentType!.Name })
            .SingleAsync(cancellationToken);
        Confirmation = new BookingConfirmation(link.Token, appointment.Id, names.Practitioner, names.Type, clinic.ToLocal(appointment.StartUtc), details.Email.Trim());
        OutboxQueue.Email(
            db,
            BookingConfirmationEmail.Create(clinic, Confirmation, details.FirstName.Trim(), manageLinkBase + OutboxMessage.MaskedLink),
            BookingConfirmationEmail.Kind,
            practitionerId: null,
            clock.GetUtcNow().UtcDateTime,
            privateLinks.Protect(link.Token));
        return true;
    }
}
