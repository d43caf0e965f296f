using System.Security.Cryptography;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.OnlineBookings;

public sealed record BookingConfirmation(string Token, int AppointmentId, string PractitionerName, string TypeName, DateTime LocalStart, string Email);

/// <summary>A booking as its private link shows it.</summary>
public sealed record ManagedBooking(
    int AppointmentId,
    int PatientId,
    string PatientFirstName,
    string PractitionerName,
    string TypeName,
    DateTime LocalStart,
    bool PastCutoff,
    int CutoffHours,
    string ClinicName,
    string ClinicPhone);

/// <summary>
/// The patients' side: free slots, booking without an account, and the private link that manages a
/// booking. Bookings re-check the slot inside their transaction; cancelling goes through the one
/// cancel path as the patient.
/// </summary>
public sealed class OnlineBookingService(
    IDbContextFactory<ClinicDbContext> dbFactory,
    OnlineSlots slots,
    AppointmentService appointments,
    PrivateLinks privateLinks,
    IDatabaseEngine engine,
    TimeProvider clock)
{
    public const string SlotJustTaken = "Sorry, that time was just taken. Please choose another time.";

    public async Task<BookingChoices> GetChoicesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync(cancellationToken);
        var practitioners = await db.Set<Practitioner>().AsNoTracking()
            .Where(p => p.IsActive && p.OfferedOnline)
            .OrderBy(p => p.SortOrder).ThenBy(p => p.DisplayName)
            .Select(p => new OfferedPractitioner(p.Id, p.DisplayName, p.Title))
            .ToListAsync(cancellationToken);
        var types = await db.Set<AppointmentType>().AsNoTracking()
            .Where(t => t.BookableOnline && !t.IsArchived)
            .OrderBy(t => t.Name)
            .Select(t => new OfferedType(t.Id, t.Name, t.DurationMinutes))
            .ToListAsync(cancellationToken);
        var today = DateOnly.FromDateTime(clinic.ToLocal(clock.GetUtcNow().UtcDateTime));
        return new BookingChoices(clinic.Name, clinic.Phone, clinic.OnlineBookingEnabled, practitioners, types, today, today.AddDays(clinic.OnlineBookingHorizonDays));
    }

    /// <summary>Free slots on one clinic-local day, for one practitioner or any (null).</summary>
    public async Task<IReadOnlyList<OfferedSlot>> GetSlotsAsync(int? practitionerId, int appointmentTypeId, DateOnly day, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await slots.FreeAsync(db, practitionerId, appointmentTypeId, day, cancellationToken);
    }

    /// <summary>
    /// Books the slot for the patient and queues their confirmation email, with their private link
    /// (<paramref name="manageLinkBase"/> followed by the token), in the booking's transaction: the
    /// dispatcher sends it, and retries it while the mail server is down. The link is kept encrypted
    /// until it is sent; the Outbox shows it masked.
    /// </summary>
    public async Task<Result<BookingConfirmation>> BookAsync(string slotKey, int appointmentTypeId, PatientDetailsInput details, string manageLinkBase, CancellationToken cancellationToken = default)
    {
        if (!OfferedSlot.TryParseKey(slotKey, out var practitionerId, out var startUtc))
        {
            return Result.Fail("Choose a time.", "Slot");
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync(cancellationToken);
        var mobile = PhoneNumberRules.NormalizeMobile(details.Mobile, clinic.CountryCode);
        if (!mobile.Succeeded)
        {
            return Result.Fail(mobile.Error!, nameof(PatientDetailsInput.Mobile));
        }

        var type = await db.Set<AppointmentType>().AsNoTracking()
            .SingleOrDefaultAsync(t => t.Id == appointmentTypeId && t.BookableOnline && !t.IsArchived, cancellationToken);
        if (type is null)
        {
            return Result.Fail("Choose an appointment type.", "Type");
        }

        // Through the one way in: the slot is checked again, and the confirmation queued, in the booking's transaction.
        var booker = new OnlineBooker(clinic, details, mobile.Value!, manageLinkBase, slots, privateLinks, engine, clock);
        var booked = await appointments.BookAsync(new BookAppointment(0, practitionerId, type.Id, startUtc), booker, cancellationToken);

        // Whatever refused it (the time taken, the practitioner no longer offered), the patient's answer is another time.
        return booked.Succeeded ? Result<BookingConfirmation>.Ok(booker.Confirmation!) : Result.Fail(SlotJustTaken, "Slot");
    }

    /// <summary>The booking behind a private link, or null for any link that is not valid now (wrong, expired, cancelled).</summary>
    public async Task<ManagedBooking?> FindByTokenAsync(string? token, CancellationToken cancellationToken = default)
    {
        var hash = BookingToken.HashOf(token);
        if (hash is null)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var candidate = await db.Set<Appointment>().AsNoTracking()
            .Where(a => a.ManageTokenHash == hash)
            .Select(a => new
            {
                a.Id,
                a.PatientId,
                a.Patient!.FirstName,
                Practitioner = a.Practitioner!.DisplayName,
                Type = a.AppointmentType!.Name,
                a.StartUtc,
                a.Status,
                a.ManageTokenHash,
            })
            .SingleOrDefaultAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;

        // Compare the hash in constant time as well: the lookup found it, this keeps the decision uniform.
        if (candidate is null || !CryptographicOperations.FixedTimeEquals(candidate.ManageTokenHash, hash)
            || candidate.Status != AppointmentStatus.Booked || candidate.StartUtc <= now)
        {
            return null;
        }

        var clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync(cancellationToken);
        var pastCutoff = now > candidate.StartUtc.AddHours(-clinic.OnlineCancellationCutoffHours);
        return new ManagedBooking(candidate.Id, candidate.PatientId, candidate.FirstName, candidate.Practitioner, candidate.Type,
            clinic.ToLocal(candidate.StartUtc), pastCutoff, clinic.OnlineCancellationCutoffHours, clinic.Name, clinic.Phone);
    }

    /// <summary>Cancels through the private link, as the patient, if the clinic's cut-off allows it.</summary>
    public async Task<Result<ManagedBooking>> CancelAsync(string? token, CancellationReason? reason, CancellationToken cancellationToken = default)
    {
        var booking = await FindByTokenAsync(token, cancellationToken);
        if (booking is null)
        {
            return Result.Fail("This link is not valid.");
        }

        if (booking.PastCutoff)
        {
            return Result.Fail($"It is less than {booking.CutoffHours} hours before your appointment: please call the clinic on {booking.ClinicPhone} to cancel.");
        }

        var cancelled = await appointments.CancelAsync(new CancelAppointment(booking.AppointmentId, reason), new PatientCanceller(booking.PatientId), cancellationToken);
        return cancelled.Succeeded ? Result<ManagedBooking>.Ok(booking) : Result.Fail(cancelled.Error!);
    }
}
