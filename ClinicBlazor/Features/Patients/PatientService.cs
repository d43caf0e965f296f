using System.ComponentModel.DataAnnotations;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Settings;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Patients;

/// <summary>A patient in search results and pickers.</summary>
public sealed record PatientSummary(int Id, string FirstName, string LastName, string Email, string MobileE164)
{
    public string FullName => $"{FirstName} {LastName}".Trim();

    public override string ToString() => FullName;
}

/// <summary>One of a patient's appointments on the Patients page.</summary>
public sealed record PatientAppointment(
    int Id,
    DateTime StartUtc,
    DateTime EndUtc,
    string PractitionerName,
    string TypeName,
    string Color,
    bool IsCancelled,
    CancellationReason? CancellationReason,
    Guid Version);

/// <summary>What staff type in the new-patient and edit forms.</summary>
public sealed class PatientForm
{
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string Email { get; set; } = "";
    public string Mobile { get; set; } = "";
}

/// <summary>Finds, adds and edits patients (any member of staff), and lists their appointments.</summary>
public sealed class PatientService(IDbContextFactory<ClinicDbContext> dbFactory, ClinicAuthorization authorization, TimeProvider clock)
{
    public const string DuplicateField = "Duplicate";

    private static readonly EmailAddressAttribute EmailFormat = new();

    /// <summary>Patients whose name, email or mobile matches every word typed, best matches first.</summary>
    public async Task<IReadOnlyList<PatientSummary>> SearchAsync(string? text, int max = 20, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.UseCalendar);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        IQueryable<Patient> query = db.Set<Patient>().AsNoTracking();
        foreach (var word in (text ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(4))
        {
            var prefix = EscapeLike(word) + "%";
            var anywhere = "%" + EscapeLike(word) + "%";
            query = query.Where(p => EF.Functions.Like(p.FirstName, prefix, "\\")
                                     || EF.Functions.Like(p.LastName, prefix, "\\")
                                     || EF.Functions.Like(p.Email, anywhere, "\\")
                                     || EF.Functions.Like(p.MobileE164, anywhere, "\\"));
        }

        return await query.OrderBy(p => p.LastName).ThenBy(p => p.FirstName)
            .Take(max)
            .Select(p => new PatientSummary(p.Id, p.FirstName, p.LastName, p.Email, p.MobileE164))
            .ToListAsync(cancellationToken);
    }

    public async Task<PatientSummary?> GetAsync(int patientId, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.UseCalendar);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<Patient>().AsNoTracking()
            .Where(p => p.Id == patientId)
            .Select(p => new PatientSummary(p.Id, p.FirstName, p.LastName, p.Email, p.MobileE164))
            .SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>Other patients with the same name or email, so staff are warned before adding a duplicate.</summary>
    public async Task<IReadOnlyList<PatientSummary>> FindDuplicatesAsync(PatientForm form, int? exceptId = null, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.UseCalendar);
        // LIKE without wildcards: SQLite's case-insensitive equality.
        var first = EscapeLike(form.FirstName.Trim());
        var last = EscapeLike(form.LastName.Trim());
        var email = EscapeLike(form.Email.Trim());
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<Patient>().AsNoTracking()
            .Where(p => p.Id != exceptId)
            .Where(p => (EF.Functions.Like(p.FirstName, first, "\\") && EF.Functions.Like(p.LastName, last, "\\"))
                        || (email != "" && EF.Functions.Like(p.Email, email, "\\")))
            .Select(p => new PatientSummary(p.Id, p.FirstName, p.LastName, p.Email, p.MobileE164))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Adds a patient; refuses a likely duplicate unless <paramref name="allowDuplicate"/> (staff chose "Add anyway").</summary>
    public async Task<Result<int>> CreateAsync(PatientForm form, bool allowDuplicate = false, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.UseCalendar);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var validated = await ValidateAsync(db, form, cancellationToken);
        if (!validated.Succeeded)
        {
            return Result<int>.Fail(validated.Error!, validated.Field);
        }

        if (!allowDuplicate)
        {
            var duplicates = await FindDuplicatesAsync(form, null, cancellationToken);
            if (duplicates.Count > 0)
            {
                return Result<int>.Fail(DuplicateMessage(duplicates), DuplicateField);
            }
        }

        var patient = new Patient { CreatedAtUtc = clock.GetUtcNow().UtcDateTime };
        Apply(patient, form, validated.Value!);
        db.Add(patient);
        await db.SaveChangesAsync(cancellationToken);
        return Result<int>.Ok(patient.Id);
    }

    public async Task<Result> UpdateAsync(int patientId, PatientForm form, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.UseCalendar);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var patient = await db.Set<Patient>().SingleOrDefaultAsync(p => p.Id == patientId, cancellationToken);
        if (patient is null)
        {
            return Result.Fail("That patient no longer exists.");
        }

        var validated = await ValidateAsync(db, form, cancellationToken);
        if (!validated.Succeeded)
        {
            return Result.Fail(validated.Error!, validated.Field);
        }

        Apply(patient, form, validated.Value!);
        await db.SaveChangesAsync(cancellationToken);
        return Result.Ok();
    }

    /// <summary>All of a patient's appointments, newest first (one query).</summary>
    public async Task<IReadOnlyList<PatientAppointment>> GetAppointmentsAsync(int patientId, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.UseCalendar);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<Appointment>().AsNoTracking()
            .Where(a => a.PatientId == patientId)
            .OrderByDescending(a => a.StartUtc)
            .Select(a => new PatientAppointment(a.Id, a.StartUtc, a.EndUtc, a.Practitioner!.DisplayName, a.AppointmentType!.Name,
                a.AppointmentType.Color, a.Status == AppointmentStatus.Cancelled, a.CancellationReason, a.Version))
            .ToListAsync(cancellationToken);
    }

    /// <summary>A mobile number as staff typed it, in the clinic's country unless it starts with +, as E.164.</summary>
    public static Result<string> NormaliseMobile(string input, string countryCode)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return Result<string>.Ok("");
        }

        var mobile = PhoneNumberRules.NormalizeMobile(input, countryCode);
        return mobile.Succeeded ? mobile : Result<string>.Fail("Enter a valid mobile number.", nameof(PatientForm.Mobile));
    }

    /// <summary>An E.164 number as the clinic writes it locally ("0412 345 678").</summary>
    public static string DisplayMobile(string e164, string countryCode) => PhoneNumberRules.Display(e164, countryCode);

    public async Task<string> GetCountryCodeAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<Clinic>().Select(c => c.CountryCode).SingleAsync(cancellationToken);
    }

    private static string DuplicateMessage(IReadOnlyList<PatientSummary> duplicates)
    {
        var names = string.Join(", ", duplicates.Take(3).Select(d => string.IsNullOrEmpty(d.Email) ? d.FullName : $"{d.FullName} ({d.Email})"));
        return $"A patient with this name or email already exists: {names}. Open the existing patient, or choose Add anyway.";
    }

    private static async Task<Result<string>> ValidateAsync(ClinicDbContext db, PatientForm form, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(form.FirstName))
        {
            return Result<string>.Fail("Enter the first name.", nameof(PatientForm.FirstName));
        }

        if (string.IsNullOrWhiteSpace(form.LastName))
        {
            return Result<string>.Fail("Enter the last name.", nameof(PatientForm.LastName));
        }

        if (form.FirstName.Trim().Length > 100 || form.LastName.Trim().Length > 100)
        {
            return Result<string>.Fail("Keep names under 100 characters.", nameof(PatientForm.LastName));
        }

        var email = form.Email.Trim();
        if (email.Length > 0 && (email.Length > 256 || !EmailFormat.IsValid(email)))
        {
            return Result<string>.Fail("Enter a valid email address.", nameof(PatientForm.Email));
        }

        var country = await db.Set<Clinic>().Select(c => c.CountryCode).SingleAsync(cancellationToken);
        return NormaliseMobile(form.Mobile, country);
    }

    private static void Apply(Patient patient, PatientForm form, string mobileE164)
    {
        patient.FirstName = form.FirstName.Trim();
        patient.LastName = form.LastName.Trim();
        patient.Email = form.Email.Trim();
        patient.MobileE164 = mobileE164;
    }

    private static string EscapeLike(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}

public static class PatientsExtensions
{
    public static WebApplicationBuilder AddPatients(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<PatientService>();
        return builder;
    }
}
