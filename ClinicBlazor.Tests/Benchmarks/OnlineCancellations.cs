using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.OnlineBookings;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>
/// What the runs that cancel through patients' booking links set up, written directly: practitioners
/// on SMS and email, one patient and one online booking (with its private link) per cancellation, and
/// credits. Names, addresses and numbers carry <see cref="Series"/> so that several set-ups can share one
/// database and one SMTP server.
/// </summary>
internal sealed record OnlineCancellations(string Name, int Series, string Domain)
{
    /// <summary>One booking to cancel: its link, and how its messages are recognised where they arrive.</summary>
    public sealed record Booking(int Index, int AppointmentId, int PractitionerId, string Email, string Mobile, string Token, string PatientName);

    public async Task<List<Booking>> SetUpAsync(ClinicDbContext db, int practitionerCount, int cancellations, int creditsEach, DateTime nowUtc)
    {
        var type = await db.Set<AppointmentType>().Where(t => t.DurationMinutes == 30 && !t.IsArchived).OrderBy(t => t.Id).FirstAsync();
        var practitioners = new List<Practitioner>();
        for (var i = 0; i < practitionerCount; i++)
        {
            var (user, practitioner) = BenchStaff.NewPractitioner($"{Name.ToLowerInvariant()}{i:D3}@{Domain}", $"{Name} {i:D3}", (Series * 1000) + 1000 + i);
            practitioner.MobileE164 = $"+6149{Series}{i:D6}";
            practitioner.NotificationMethod = NotificationMethod.SmsAndEmail;
            db.Add(user);
            db.Add(practitioner);
            practitioners.Add(practitioner);
        }

        await db.SaveChangesAsync();

        var firstStart = nowUtc.Date.AddDays(3);
        var booked = new List<(Appointment Appointment, Practitioner Practitioner, string Token, string PatientName)>();
        for (var i = 0; i < cancellations; i++)
        {
            // A patient name unique to this cancellation: it is how an email's digest lines are told apart.
            var patient = new Patient { FirstName = Name, LastName = $"P{i:D4}", CreatedAtUtc = nowUtc };
            var practitioner = practitioners[i % practitionerCount];
            var start = firstStart.AddMinutes(30 * (i / practitionerCount));
            var (token, hash) = BookingToken.Create();
            var appointment = new Appointment
            {
                PractitionerId = practitioner.Id,
                Patient = patient,
                AppointmentTypeId = type.Id,
                StartUtc = start,
                EndUtc = start.AddMinutes(30),
                BookedAtUtc = nowUtc,
                BookedOnline = true,
                ManageTokenHash = hash,
                Version = Guid.NewGuid(),
            };
            db.Add(appointment);
            booked.Add((appointment, practitioner, token, $"{patient.FirstName} {patient.LastName}"));
        }

        await db.SaveChangesAsync();
        await BenchNotices.TopUpAsync(db, cancellations * creditsEach, nowUtc);
        return [.. booked.Select((b, i) => new Booking(i, b.Appointment.Id, b.Practitioner.Id, b.Practitioner.NotificationEmail, b.Practitioner.MobileE164!, b.Token, b.PatientName))];
    }
}
