using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;
using PhoneNumbers;

namespace ClinicBlazor.Features.Settings;

/// <summary>Opening hours of one weekday as the Clinic tab edits them; a closed day has <see cref="Open"/> false.</summary>
public sealed record BusinessDay(DayOfWeek Day, bool Open, TimeOnly Opens, TimeOnly Closes);

public sealed record ClinicDetails(
    string Name,
    string Phone,
    string CountryCode,
    string TimeZoneId,
    IReadOnlyList<BusinessDay> Hours,
    string Address = "",
    TimeFormat TimeFormat = TimeFormat.TwentyFourHour,
    bool TellPatientsByEmail = true,
    bool TellPatientsBySms = false);

public sealed record OnlineBookingSettings(
    bool Enabled,
    int HorizonDays,
    int CancellationCutoffHours,
    IReadOnlySet<int> OfferedPractitionerIds,
    IReadOnlySet<int> OfferedAppointmentTypeIds);

/// <summary>A practitioner or appointment type as the Online bookings tab lists it.</summary>
public sealed record OfferChoice(int Id, string Name, bool Offered);

public sealed record OnlineBookingChoices(OnlineBookingSettings Settings, IReadOnlyList<OfferChoice> Practitioners, IReadOnlyList<OfferChoice> AppointmentTypes);

/// <summary>The Clinic and Online bookings tabs: admins only, every change audited.</summary>
public sealed class ClinicSettingsService(
    IDbContextFactory<ClinicDbContext> dbFactory,
    ClinicAuthorization authorization,
    AuditLog audit)
{
    public const string NameRequired = "Enter the clinic's name.";
    public const string UnknownTimeZone = "Choose a time zone from the list.";
    public const string UnknownCountry = "Choose a country from the list.";
    public const string ClosesBeforeOpens = "{0}: closing time must be after opening time.";
    public const string InvalidPhone = "Enter a phone number that is valid in the clinic's country.";
    public const string AddressTooLong = "Keep the address under 400 characters.";
    public const string HorizonOutOfRange = "Patients may book between 1 and 365 days ahead.";
    public const string CutoffOutOfRange = "The cancellation cut-off is between 0 and 168 hours.";

    /// <summary>Countries phone numbers are known for ("AU", "NZ", …).</summary>
    public static IReadOnlyList<string> Countries { get; } = PhoneNumberUtil.GetInstance().GetSupportedRegions().Order(StringComparer.Ordinal).ToList();

    public async Task<ClinicDetails> GetDetailsAsync(CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ManageClinic);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var clinic = await LoadAsync(db, cancellationToken);
        return ToDetails(clinic);
    }

    public async Task<Result> SaveDetailsAsync(ClinicDetails details, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.ManageClinic);
        if (Validate(details) is { Succeeded: false } invalid)
        {
            return invalid;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var clinic = await LoadAsync(db, cancellationToken);
        var before = ToDetails(clinic);
        clinic.Name = details.Name.Trim();
        clinic.Phone = FormatPhone(details.Phone, details.CountryCode);
        clinic.CountryCode = details.CountryCode;
        clinic.Address = details.Address.Trim();
        clinic.TimeFormat = details.TimeFormat;
        clinic.TellPatientsByEmail = details.TellPatientsByEmail;
        clinic.TellPatientsBySms = details.TellPatientsBySms;

        // Appointments are stored as instants: a new zone changes only how they are shown.
        clinic.TimeZoneId = details.TimeZoneId;
        foreach (var day in details.Hours)
        {
            var hours = clinic.BusinessHours.FirstOrDefault(h => h.Day == day.Day);
            if (!day.Open)
            {
                if (hours is not null)
                {
                    clinic.BusinessHours.Remove(hours);
                    db.Remove(hours);
                }
            }
            else if (hours is null)
            {
                clinic.BusinessHours.Add(new BusinessHours { Day = day.Day, Opens = day.Opens, Closes = day.Closes });
            }
            else
            {
                hours.Opens = day.Opens;
                hours.Closes = day.Closes;
            }
        }

        var change = AuditLog.Describe(
            ("Name", before.Name, clinic.Name),
            ("Phone", before.Phone, clinic.Phone),
            ("Address", before.Address, clinic.Address),
            ("Time format", ClinicTimeFormat.Describe(before.TimeFormat), ClinicTimeFormat.Describe(clinic.TimeFormat)),
            ("Tell patients of the clinic's changes by email", OnOff(before.TellPatientsByEmail), OnOff(clinic.TellPatientsByEmail)),
            ("Tell patients of the clinic's changes by SMS", OnOff(before.TellPatientsBySms), OnOff(clinic.TellPatientsBySms)),
            ("Country", before.CountryCode, clinic.CountryCode),
            ("Time zone", before.TimeZoneId, clinic.TimeZoneId),
            ("Business hours", DescribeHours(before.Hours), DescribeHours(ToDetails(clinic).Hours)));
        if (change.Length > 0)
        {
            audit.Record(db, actor, AuditAreas.Clinic, clinic.Name, change);
        }

        await db.SaveChangesAsync(cancellationToken);
        return Result.Ok();
    }

    public async Task<OnlineBookingChoices> GetOnlineBookingsAsync(CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ManageClinic);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var clinic = await LoadAsync(db, cancellationToken);
        var practitioners = await db.Set<Practitioner>().AsNoTracking().Where(p => p.IsActive)
            .OrderBy(p => p.SortOrder).ThenBy(p => p.DisplayName)
            .Select(p => new OfferChoice(p.Id, p.DisplayName, p.OfferedOnline)).ToListAsync(cancellationToken);
        var types = await db.Set<AppointmentType>().AsNoTracking().Where(t => !t.IsArchived)
            .OrderBy(t => t.Name)
            .Select(t => new OfferChoice(t.Id, t.Name, t.BookableOnline)).ToListAsync(cancellationToken);
        var settings = new OnlineBookingSettings(
            clinic.OnlineBookingEnabled,
            clinic.OnlineBookingHorizonDays,
            clinic.OnlineCancellationCutoffHours,
            practitioners.Where(p => p.Offered).Select(p => p.Id).ToHashSet(),
            types.Where(t => t.Offered).Select(t => t.Id).ToHashSet());
        return new OnlineBookingChoices(settings, practitioners, types);
    }

    public async Task<Result> SaveOnlineBookingsAsync(OnlineBookingSettings settings, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.ManageClinic);
        if (settings.HorizonDays is < 1 or > 365)
        {
            return Result.Fail(HorizonOutOfRange, nameof(settings.HorizonDays));
        }

        if (settings.CancellationCutoffHours is < 0 or > 168)
        {
            return Result.Fail(CutoffOutOfRange, nameof(settings.CancellationCutoffHours));
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var clinic = await LoadAsync(db, cancellationToken);
        var changes = new List<string>
        {
            AuditLog.Describe(
                ("Online booking", clinic.OnlineBookingEnabled ? "on" : "off", settings.Enabled ? "on" : "off"),
                ("Days ahead", clinic.OnlineBookingHorizonDays, settings.HorizonDays),
                ("Cancellation cut-off (hours)", clinic.OnlineCancellationCutoffHours, settings.CancellationCutoffHours)),
        };
        clinic.OnlineBookingEnabled = settings.Enabled;
        clinic.OnlineBookingHorizonDays = settings.HorizonDays;
        clinic.OnlineCancellationCutoffHours = settings.CancellationCutoffHours;

        foreach (var practitioner in await db.Set<Practitioner>().Where(p => p.IsActive).ToListAsync(cancellationToken))
        {
            var offered = settings.OfferedPractitionerIds.Contains(practitioner.Id);
            if (practitioner.OfferedOnline != offered)
            {
                practitioner.OfferedOnline = offered;
                changes.Add($"{practitioner.DisplayName} {(offered ? "offered" : "no longer offered")}");
            }
        }

        foreach (var type in await db.Set<AppointmentType>().Where(t => !t.IsArchived).ToListAsync(cancellationToken))
        {
            var offered = settings.OfferedAppointmentTypeIds.Contains(type.Id);
            if (type.BookableOnline != offered)
            {
                type.BookableOnline = offered;
                changes.Add($"{type.Name} {(offered ? "offered" : "no longer offered")}");
            }
        }

        var change = string.Join("; ", changes.Where(c => c.Length > 0));
        if (change.Length > 0)
        {
            audit.Record(db, actor, AuditAreas.OnlineBookings, clinic.Name, change);
        }

        await db.SaveChangesAsync(cancellationToken);
        return Result.Ok();
    }

    public static Result Validate(ClinicDetails details)
    {
        if (string.IsNullOrWhiteSpace(details.Name))
        {
            return Result.Fail(NameRequired, nameof(details.Name));
        }

        if (!Countries.Contains(details.CountryCode, StringComparer.Ordinal))
        {
            return Result.Fail(UnknownCountry, nameof(details.CountryCode));
        }

        if (!TimeZones.IsKnown(details.TimeZoneId))
        {
            return Result.Fail(UnknownTimeZone, nameof(details.TimeZoneId));
        }

        if (!string.IsNullOrWhiteSpace(details.Phone) && !IsValidPhone(details.Phone, details.CountryCode))
        {
            return Result.Fail(InvalidPhone, nameof(details.Phone));
        }

        if (details.Address.Trim().Length > 400)
        {
            return Result.Fail(AddressTooLong, nameof(details.Address));
        }

        if (!Enum.IsDefined(details.TimeFormat))
        {
            return Result.Fail("Choose 24-hour or 12-hour times.", nameof(details.TimeFormat));
        }

        foreach (var day in details.Hours.Where(h => h.Open && h.Closes <= h.Opens))
        {
            return Result.Fail(Format(ClosesBeforeOpens, day.Day), nameof(details.Hours));
        }

        return Result.Ok();
    }

    private static string Format(string format, params object[] args) => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);

    private static bool IsValidPhone(string phone, string country)
    {
        try
        {
            var util = PhoneNumberUtil.GetInstance();
            return util.IsValidNumber(util.Parse(phone, country));
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    private static string FormatPhone(string phone, string country)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            return "";
        }

        var util = PhoneNumberUtil.GetInstance();
        var number = util.Parse(phone, country);
        return util.Format(number, util.GetRegionCodeForNumber(number) == country ? PhoneNumberFormat.NATIONAL : PhoneNumberFormat.INTERNATIONAL);
    }

    private static async Task<Clinic> LoadAsync(ClinicDbContext db, CancellationToken cancellationToken) =>
        await db.Set<Clinic>().Include(c => c.BusinessHours).SingleAsync(c => c.Id == Clinic.SingletonId, cancellationToken);

    private static ClinicDetails ToDetails(Clinic clinic) => new(
        clinic.Name,
        clinic.Phone,
        clinic.CountryCode,
        clinic.TimeZoneId,
        Enum.GetValues<DayOfWeek>().OrderBy(d => ((int)d + 6) % 7).Select(day =>
            clinic.BusinessHours.FirstOrDefault(h => h.Day == day) is { } hours
                ? new BusinessDay(day, true, hours.Opens, hours.Closes)
                : new BusinessDay(day, false, new TimeOnly(9, 0), new TimeOnly(17, 0))).ToList(),
        clinic.Address,
        clinic.TimeFormat,
        clinic.TellPatientsByEmail,
        clinic.TellPatientsBySms);

    private static string OnOff(bool on) => on ? "on" : "off";

    private static string DescribeHours(IEnumerable<BusinessDay> hours) =>
        string.Join(", ", hours.Where(h => h.Open).Select(h => $"{h.Day.ToString()[..3]} {h.Opens:HH\\:mm}–{h.Closes:HH\\:mm}"));
}
