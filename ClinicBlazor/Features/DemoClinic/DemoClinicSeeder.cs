using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Features.Staff;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.DemoClinic;

/// <summary>A demo member of staff, as listed in README's sign-in table.</summary>
public sealed record DemoStaff(string DisplayName, string Email, string Password, string[] Roles, string? Title = null);

/// <summary>
/// Creates the demo clinic on an empty database: Harbourside Physio &amp; Health in Sydney with its
/// staff, 30 patients, three appointment types, working hours (Mon–Fri 08:30–17:30; Mei Lin off
/// on Wednesday afternoons) and appointments on the ten working days before and the ten after today
/// (today too when it is a working day), in the clinic's time zone.
/// Running it again creates nothing twice.
/// </summary>
public sealed class DemoClinicSeeder(
    IDbContextFactory<ClinicDbContext> dbFactory,
    UserManager<StaffUser> userManager,
    RoleManager<IdentityRole> roleManager,
    TimeProvider clock,
    ILogger<DemoClinicSeeder> logger)
{
    public const string AdminPassword = "Admin#Harbour1";
    public const string ReceptionPassword = "Reception#Harbour1";
    public const string PractitionerPassword = "Practitioner#Harbour1";

    public static readonly IReadOnlyList<DemoStaff> Staff =
    [
        new("Olivia Grant", "owner@harbourside.example", AdminPassword, [Roles.Admin]),
        new("Sam Taylor", "sam@harbourside.example", ReceptionPassword, [Roles.Receptionist]),
        new("Alex Nguyen", "alex@harbourside.example", ReceptionPassword, [Roles.Receptionist]),
        new("Priya Patel", "priya@harbourside.example", PractitionerPassword, [Roles.Practitioner], "Physiotherapist"),
        new("Tom Becker", "tom@harbourside.example", PractitionerPassword, [Roles.Practitioner], "Physiotherapist"),
        new("Mei Lin", "mei@harbourside.example", PractitionerPassword, [Roles.Practitioner], "Psychologist"),
        new("Daniel Okafor", "daniel@harbourside.example", PractitionerPassword, [Roles.Practitioner], "General practitioner"),
        new("Grace Walsh", "grace@harbourside.example", PractitionerPassword, [Roles.Practitioner], "Osteopath"),
    ];

    private static readonly (string First, string Last)[] PatientNames =
    [
        ("Jane", "Smith"), ("Liam", "Brown"), ("Charlotte", "Wilson"), ("Noah", "Taylor"), ("Amelia", "Anderson"),
        ("Oliver", "Thomas"), ("Isla", "Jackson"), ("William", "White"), ("Mia", "Harris"), ("Jack", "Martin"),
        ("Ava", "Thompson"), ("Henry", "Garcia"), ("Grace", "Martinez"), ("Leo", "Robinson"), ("Chloe", "Clark"),
        ("Lucas", "Rodriguez"), ("Ruby", "Lewis"), ("Thomas", "Lee"), ("Sophie", "Walker"), ("James", "Hall"),
        ("Zoe", "Allen"), ("Ethan", "Young"), ("Harper", "King"), ("Max", "Wright"), ("Ella", "Scott"),
        ("Oscar", "Green"), ("Lily", "Baker"), ("Archie", "Adams"), ("Matilda", "Nelson"), ("Hugo", "Carter"),
    ];

    public async Task SeedAsync(CancellationToken cancellationToken = default)
    {
        await EnsureRolesAsync(roleManager);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Set<Clinic>().AnyAsync(cancellationToken))
        {
            return;
        }

        logger.LogInformation("Creating the demo clinic");
        var clinic = new Clinic
        {
            Name = "Harbourside Physio & Health",
            Phone = "(02) 9000 1234",
            CountryCode = "AU",
            TimeZoneId = "Australia/Sydney",
            BusinessHours = Enumerable.Range(1, 5)
                .Select(day => new BusinessHours { Day = (DayOfWeek)day, Opens = new TimeOnly(8, 0), Closes = new TimeOnly(18, 0) })
                .Append(new BusinessHours { Day = DayOfWeek.Saturday, Opens = new TimeOnly(9, 0), Closes = new TimeOnly(13, 0) })
                .ToList(),
        };
        db.Add(clinic);

        var practitioners = new List<Practitioner>();
        var sortOrder = 0;
        foreach (var person in Staff)
        {
            var user = await EnsureUserAsync(userManager, person.DisplayName, person.Email, person.Password, person.Roles);
            if (person.Roles.Contains(Roles.Practitioner))
            {
                var practitioner = new Practitioner
                {
                    UserId = user.Id,
                    DisplayName = person.DisplayName,
                    Title = person.Title ?? "",
                    NotificationEmail = person.Email,
                    SortOrder = sortOrder++,
                };
                practitioners.Add(practitioner);
                db.Add(practitioner);
            }
        }

        var types = new[]
        {
            new AppointmentType { Name = "Initial consultation", DurationMinutes = 60, Color = "#1e88e5" },
            new AppointmentType { Name = "Follow-up", DurationMinutes = 30, Color = "#43a047" },
            new AppointmentType { Name = "Extended treatment", DurationMinutes = 45, Color = "#fb8c00" },
        };
        db.AddRange(types);

        var now = clock.GetUtcNow().UtcDateTime;
        var patients = PatientNames.Select((name, index) => new Patient
        {
            FirstName = name.First,
            LastName = name.Last,
            Email = $"{name.First.ToLowerInvariant()}.{name.Last.ToLowerInvariant()}@patients.example",
            MobileE164 = $"+6141{index:D3}{(index * 37 % 1000):D4}",
            CreatedAtUtc = now,
        }).ToList();
        db.AddRange(patients);
        await db.SaveChangesAsync(cancellationToken);

        var workingHours = practitioners.SelectMany(DemoWorkingHours).ToList();
        db.AddRange(workingHours);
        db.AddRange(DemoAppointments(clinic, practitioners, types, patients, now)
            .Where(a => IsWithin(workingHours, clinic, a)));
        await db.SaveChangesAsync(cancellationToken);

        // Enough SMS credits to try SMS notices on first run.
        await SmsCreditService.OpenDemoBalanceAsync(db, 50, now, cancellationToken);
    }

    /// <summary>The practitioner who has Wednesday afternoons off (the others work Mon–Fri 08:30–17:30).</summary>
    public const string WednesdayAfternoonOff = "mei@harbourside.example";

    private static IEnumerable<PractitionerWorkingHours> DemoWorkingHours(Practitioner practitioner)
    {
        var halfDay = Staff.Single(s => s.DisplayName == practitioner.DisplayName).Email == WednesdayAfternoonOff;
        for (var day = DayOfWeek.Monday; day <= DayOfWeek.Friday; day++)
        {
            var end = halfDay && day == DayOfWeek.Wednesday ? new TimeOnly(12, 30) : new TimeOnly(17, 30);
            yield return new PractitionerWorkingHours { PractitionerId = practitioner.Id, Day = day, Start = new TimeOnly(8, 30), End = end };
        }
    }

    private static bool IsWithin(List<PractitionerWorkingHours> workingHours, Clinic clinic, Appointment appointment)
    {
        var start = clinic.ToLocal(appointment.StartUtc);
        var end = clinic.ToLocal(appointment.EndUtc);
        return workingHours.Any(h => h.PractitionerId == appointment.PractitionerId
                                     && h.Day == start.DayOfWeek
                                     && h.Start <= TimeOnly.FromDateTime(start)
                                     && TimeOnly.FromDateTime(end) <= h.End);
    }

    /// <summary>Working days (Mon–Fri) around today in the clinic's time zone, whatever day today is.</summary>
    public const int WorkingDaysEachSide = 10;

    /// <summary>
    /// The demo's working days: <see cref="WorkingDaysEachSide"/> before today, today when it is one,
    /// and as many after, so that a clinic first opened on a weekend still shows a busy fortnight either side.
    /// </summary>
    public static IReadOnlyList<DateOnly> DemoWorkingDays(DateOnly today)
    {
        static bool IsWorkingDay(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

        IEnumerable<DateOnly> Walk(int step)
        {
            for (var day = today.AddDays(step); ; day = day.AddDays(step))
            {
                if (IsWorkingDay(day))
                {
                    yield return day;
                }
            }
        }

        return Walk(-1).Take(WorkingDaysEachSide).Reverse()
            .Concat(IsWorkingDay(today) ? [today] : [])
            .Concat(Walk(1).Take(WorkingDaysEachSide))
            .ToList();
    }

    /// <summary>Each practitioner with a realistic, non-overlapping day on every demo working day.</summary>
    private static IEnumerable<Appointment> DemoAppointments(Clinic clinic, List<Practitioner> practitioners, AppointmentType[] types, List<Patient> patients, DateTime nowUtc)
    {
        var random = new Random(20261124);
        var today = DateOnly.FromDateTime(clinic.ToLocal(nowUtc));
        foreach (var day in DemoWorkingDays(today))
        {
            foreach (var practitioner in practitioners)
            {
                var time = new TimeOnly(9, 0);
                while (time < new TimeOnly(17, 0))
                {
                    var type = types[random.Next(types.Length)];
                    if (random.NextDouble() < 0.7 && time.AddMinutes(type.DurationMinutes) <= new TimeOnly(17, 30))
                    {
                        var startUtc = clinic.ToUtc(day.ToDateTime(time));
                        yield return new Appointment
                        {
                            PractitionerId = practitioner.Id,
                            PatientId = patients[random.Next(patients.Count)].Id,
                            AppointmentTypeId = type.Id,
                            StartUtc = startUtc,
                            EndUtc = startUtc.AddMinutes(type.DurationMinutes),
                            BookedAtUtc = startUtc.AddDays(-10),
                        };
                        time = time.AddMinutes(type.DurationMinutes);
                    }
                    else
                    {
                        time = time.AddMinutes(30);
                    }
                }
            }
        }
    }

    internal static async Task EnsureRolesAsync(RoleManager<IdentityRole> roleManager)
    {
        foreach (var role in Roles.All)
        {
            if (!await roleManager.RoleExistsAsync(role))
            {
                await roleManager.CreateAsync(new IdentityRole(role));
            }
        }
    }

    internal static async Task<StaffUser> EnsureUserAsync(UserManager<StaffUser> userManager, string displayName, string email, string password, IEnumerable<string> roles)
    {
        var user = await userManager.FindByEmailAsync(email);
        if (user is null)
        {
            user = new StaffUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName };
            var created = await userManager.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException($"Could not create {email}: {string.Join(" ", created.Errors.Select(e => e.Description))}");
            }
        }

        foreach (var role in roles)
        {
            if (!await userManager.IsInRoleAsync(user, role))
            {
                await userManager.AddToRoleAsync(user, role);
            }
        }

        return user;
    }
}
