using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.OnlineBookings;

public sealed record OfferedPractitioner(int Id, string Name, string Title);

public sealed record OfferedType(int Id, string Name, int DurationMinutes);

/// <summary>What the public booking page may offer today.</summary>
public sealed record BookingChoices(
    string ClinicName,
    string ClinicPhone,
    bool Enabled,
    IReadOnlyList<OfferedPractitioner> Practitioners,
    IReadOnlyList<OfferedType> Types,
    DateOnly FirstDay,
    DateOnly LastDay);

/// <summary>A free slot shown to a patient: with whom, and when (UTC instant and clinic-local label).</summary>
public sealed record OfferedSlot(int PractitionerId, string PractitionerName, DateTime StartUtc, DateTime LocalStart)
{
    /// <summary>The form value that names this slot: "practitioner:UTC ticks".</summary>
    public string Key => $"{PractitionerId}:{StartUtc.Ticks}";

    public static bool TryParseKey(string? key, out int practitionerId, out DateTime startUtc)
    {
        practitionerId = 0;
        startUtc = default;
        var parts = key?.Split(':');
        if (parts is not { Length: 2 } || !int.TryParse(parts[0], out practitionerId) || !long.TryParse(parts[1], out var ticks)
            || ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        startUtc = new DateTime(ticks, DateTimeKind.Utc);
        return true;
    }
}

/// <summary>The patient's details from the booking form.</summary>
public class PatientDetailsInput
{
    [Required(ErrorMessage = "Enter your first name.")]
    [StringLength(100, ErrorMessage = "Keep your first name under 100 characters.")]
    public string FirstName { get; set; } = "";

    [Required(ErrorMessage = "Enter your last name.")]
    [StringLength(100, ErrorMessage = "Keep your last name under 100 characters.")]
    public string LastName { get; set; } = "";

    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(256)]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Enter your mobile number.")]
    public string Mobile { get; set; } = "";
}

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
    AvailabilityService availability,
    AppointmentService appointments,
    CalendarNotifier calendarNotifier,
    PrivateLinks privateLinks,
    NoticeSignal signal,
    TimeProvider clock)
{
    public const string SlotJustTaken = "Sorry, that time was just taken. Please choose another time.";
    public static readonly TimeSpan SlotStep = TimeSpan.FromMinutes(15);

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
        return await FreeSlotsAsync(db, practitionerId, appointmentTypeId, day, cancellationToken);
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

        var day = DateOnly.FromDateTime(clinic.ToLocal(startUtc));
        var (token, hash) = BookingToken.Create();
        Appointment appointment;
        string practitionerName;
        BookingConfirmation confirmation;

        // BEGIN IMMEDIATE: the re-check and the insert see the same bookings, so two patients can
        // never both get the last slot.
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var free = await FreeSlotsAsync(db, practitionerId, appointmentTypeId, day, cancellationToken);
            var slot = free.FirstOrDefault(s => s.PractitionerId == practitionerId && s.StartUtc == startUtc);
            if (slot is null)
            {
                return Result.Fail(SlotJustTaken, "Slot");
            }

            practitionerName = slot.PractitionerName;
            var patient = await FindOrAddPatientAsync(db, details, mobile.Value!, cancellationToken);
            appointment = new Appointment
            {
                PractitionerId = practitionerId,
                Patient = patient,
                AppointmentTypeId = type.Id,
                StartUtc = startUtc,
                EndUtc = startUtc.AddMinutes(type.DurationMinutes),
                BookedAtUtc = clock.GetUtcNow().UtcDateTime,
                BookedOnline = true,
                ManageTokenHash = hash,
            };
            db.Add(appointment);
            await db.SaveChangesAsync(cancellationToken);
            confirmation = new BookingConfirmation(token, appointment.Id, practitionerName, type.Name, clinic.ToLocal(startUtc), details.Email.Trim());
            OutboxQueue.Email(
                db,
                BookingConfirmationEmail.Create(clinic.Name, clinic.Phone, confirmation, details.FirstName.Trim(), manageLinkBase + OutboxMessage.MaskedLink),
                BookingConfirmationEmail.Kind,
                practitionerId: null,
                clock.GetUtcNow().UtcDateTime,
                privateLinks.Protect(token));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await signal.DeliveriesDueAsync(clock.GetUtcNow().UtcDateTime);
        calendarNotifier.Publish(new CalendarChange(CalendarChangeKind.Booked, appointment.Id, appointment.PractitionerId, appointment.StartUtc, appointment.EndUtc));
        return Result<BookingConfirmation>.Ok(confirmation);
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

    private async Task<IReadOnlyList<OfferedSlot>> FreeSlotsAsync(ClinicDbContext db, int? practitionerId, int appointmentTypeId, DateOnly day, CancellationToken cancellationToken)
    {
        var clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync(cancellationToken);
        var type = await db.Set<AppointmentType>().AsNoTracking()
            .SingleOrDefaultAsync(t => t.Id == appointmentTypeId && t.BookableOnline && !t.IsArchived, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(clinic.ToLocal(now));
        if (type is null || !clinic.OnlineBookingEnabled || day < today || day > today.AddDays(clinic.OnlineBookingHorizonDays))
        {
            return [];
        }

        var practitioners = await db.Set<Practitioner>().AsNoTracking()
            .Where(p => p.IsActive && p.OfferedOnline && (practitionerId == null || p.Id == practitionerId))
            .OrderBy(p => p.SortOrder)
            .Select(p => new { p.Id, p.DisplayName })
            .ToListAsync(cancellationToken);
        var ids = practitioners.Select(p => p.Id).ToList();
        var zone = clinic.TimeZone;
        var dayStartUtc = ClinicClock.StartToUtc(day, TimeOnly.MinValue, zone);
        var dayEndUtc = ClinicClock.StartToUtc(day.AddDays(1), TimeOnly.MinValue, zone);
        var bookings = await db.Set<Appointment>().AsNoTracking()
            .Where(a => ids.Contains(a.PractitionerId) && a.Status == AppointmentStatus.Booked && a.StartUtc < dayEndUtc && a.EndUtc > dayStartUtc)
            .Select(a => new { a.PractitionerId, a.StartUtc, a.EndUtc })
            .ToListAsync(cancellationToken);
        var periods = await availability.GetWorkingWindowsAsync(ids, day, day, cancellationToken);
        var slots = new List<OfferedSlot>();
        foreach (var practitioner in practitioners)
        {
            var busy = bookings.Where(b => b.PractitionerId == practitioner.Id).Select(b => new UtcInterval(b.StartUtc, b.EndUtc)).ToList();
            var starts = SlotCalculator.FreeStarts(periods[practitioner.Id][day], busy, TimeSpan.FromMinutes(type.DurationMinutes), SlotStep, now, DateTime.MaxValue);
            slots.AddRange(starts.Select(start => new OfferedSlot(practitioner.Id, practitioner.DisplayName, start, clinic.ToLocal(start))));
        }

        // "Any practitioner" offers each time once, with the first practitioner free then.
        var ordered = slots.OrderBy(s => s.StartUtc).ThenBy(s => ids.IndexOf(s.PractitionerId));
        return practitionerId is null ? [.. ordered.DistinctBy(s => s.StartUtc)] : [.. ordered];
    }

    private async Task<Patient> FindOrAddPatientAsync(ClinicDbContext db, PatientDetailsInput details, string mobileE164, CancellationToken cancellationToken)
    {
        var email = details.Email.Trim();
        var first = details.FirstName.Trim();
        var last = details.LastName.Trim();

        // The same person booking again keeps one record; nothing about the match is shown to the visitor.
        var existing = await db.Set<Patient>()
            .Where(p => EF.Functions.Collate(p.Email, "NOCASE") == email
                        && EF.Functions.Collate(p.FirstName, "NOCASE") == first
                        && EF.Functions.Collate(p.LastName, "NOCASE") == last)
            .FirstOrDefaultAsync(cancellationToken);
        if (existing is not null)
        {
            return existing;
        }

        var patient = new Patient { FirstName = first, LastName = last, Email = email, MobileE164 = mobileE164, CreatedAtUtc = clock.GetUtcNow().UtcDateTime };
        db.Add(patient);
        return patient;
    }
}
