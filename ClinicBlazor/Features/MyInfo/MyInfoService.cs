using ClinicBlazor.Data;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;
using PhoneNumbers;

namespace ClinicBlazor.Features.MyInfo;

/// <summary>What My Info shows and edits for one member of staff.</summary>
public sealed record MyInfoDetails(
    string UserId,
    string DisplayName,
    string SignInEmail,
    int? PractitionerId,
    string NotificationEmail,
    string MobileE164,
    NotificationMethod NotificationMethod,
    int? NotifyWithinDays,
    string? SmsPausedReason = null,
    bool NotifyOfMoves = false,
    bool NotifyOfNewBookings = false);

/// <summary>What My Info's Save changes sends: the raw mobile as typed, the rest as chosen (moves and new bookings off unless ticked).</summary>
public sealed record SaveMyInfo(
    string UserId,
    string DisplayName,
    string NotificationEmail,
    string? Mobile,
    NotificationMethod NotificationMethod,
    int? NotifyWithinDays,
    bool NotifyOfMoves = false,
    bool NotifyOfNewBookings = false);

/// <summary>Saved, or refused with one message per field (keyed by <see cref="SaveMyInfo"/>'s property names).</summary>
public sealed record MyInfoSaveResult(IReadOnlyDictionary<string, string> Errors)
{
    /// <summary>The key of a refusal that belongs to the whole form (the save itself failed).</summary>
    public const string FormError = "";

    public bool Succeeded => Errors.Count == 0;

    public string? ErrorFor(string field) => Errors.GetValueOrDefault(field);
}

/// <summary>
/// My Info: everyone edits their own; an admin may edit anyone's (and that is recorded). The rule
/// is enforced here, not by hiding buttons.
/// </summary>
public sealed class MyInfoService(IDbContextFactory<ClinicDbContext> dbFactory, ClinicAuthorization authorization, TimeProvider clock)
{
    /// <summary>Saves everything or nothing: any refusal comes back per field, with nothing written.</summary>
    public async Task<MyInfoSaveResult> SaveAsync(SaveMyInfo command, CancellationToken cancellationToken = default)
    {
        var actor = await RequireMayEditAsync(command.UserId);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == command.UserId, cancellationToken)
                   ?? throw new InvalidOperationException($"No staff member {command.UserId}.");
        var practitioner = await db.Set<Practitioner>().SingleOrDefaultAsync(p => p.UserId == command.UserId, cancellationToken);
        var clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync(cancellationToken);

        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var name = command.DisplayName.Trim();
        if (name.Length == 0)
        {
            errors[nameof(SaveMyInfo.DisplayName)] = "Enter your name.";
        }
        else if (name.Length > 200)
        {
            errors[nameof(SaveMyInfo.DisplayName)] = "Keep the name under 200 characters.";
        }

        var email = command.NotificationEmail.Trim();
        var method = command.NotificationMethod;
        if (email.Length > 0 && !NotificationsOptionsValidator.IsEmailAddress(email))
        {
            errors[nameof(SaveMyInfo.NotificationEmail)] = "Enter an email address like name@example.com.";
        }
        else if (email.Length == 0 && method.UsesEmail())
        {
            errors[nameof(SaveMyInfo.NotificationEmail)] = "Enter the email address notices should go to, or choose a method without email.";
        }

        var mobile = "";
        if (!string.IsNullOrWhiteSpace(command.Mobile))
        {
            mobile = ParseMobile(command.Mobile, clinic.CountryCode) ?? "";
            if (mobile.Length == 0)
            {
                errors[nameof(SaveMyInfo.Mobile)] = $"Enter a valid mobile number, like {ExampleMobile(clinic.CountryCode)}.";
            }
        }
        else if (method.UsesSms())
        {
            errors[nameof(SaveMyInfo.Mobile)] = "Enter your mobile number to receive SMS, or choose a method without SMS.";
        }

        if (command.NotifyWithinDays is < 1 or > 30)
        {
            errors[nameof(SaveMyInfo.NotifyWithinDays)] = "Choose Anytime or between 1 and 30 days.";
        }

        if (practitioner is null && (method != NotificationMethod.Off || command.NotifyOfMoves || command.NotifyOfNewBookings))
        {
            errors[nameof(SaveMyInfo.NotificationMethod)] = "Only practitioners receive cancellation notifications.";
        }

        if (errors.Count > 0)
        {
            return new MyInfoSaveResult(errors);
        }

        var changes = new List<string>();
        void Track<T>(string label, T before, T after, Func<T, string>? show = null)
        {
            if (!EqualityComparer<T>.Default.Equals(before, after))
            {
                show ??= value => value?.ToString() ?? "";
                changes.Add($"{label}: {Show(show(before))} → {Show(show(after))}");
            }
        }

        Track("Name", user.DisplayName, name);
        user.DisplayName = name;
        if (practitioner is not null)
        {
            Track("Notification email", practitioner.NotificationEmail, email);
            Track("Mobile", practitioner.MobileE164, mobile);
            Track("Cancellation notifications", practitioner.NotificationMethod, method, m => m.Label());
            Track("How far in advance", practitioner.NotifyWithinDays, command.NotifyWithinDays, DescribeWindow);
            Track(MovesLabel, practitioner.NotifyOfMoves, command.NotifyOfMoves, OnOff);
            Track(NewBookingsLabel, practitioner.NotifyOfNewBookings, command.NotifyOfNewBookings, OnOff);
            practitioner.NotifyOfMoves = command.NotifyOfMoves;
            practitioner.NotifyOfNewBookings = command.NotifyOfNewBookings;
            practitioner.DisplayName = name;
            practitioner.NotificationEmail = email;
            practitioner.MobileE164 = mobile;

            // Saving the number again, changed or not, is the practitioner saying it is right now: SMS resumes.
            if (mobile.Length > 0)
            {
                practitioner.SmsPausedReason = null;
                practitioner.SmsPausedAtUtc = null;
            }

            practitioner.NotificationMethod = method;
            practitioner.NotifyWithinDays = command.NotifyWithinDays;
        }
        else
        {
            Track("Mobile", user.PhoneNumber ?? "", mobile);
            user.PhoneNumber = mobile.Length == 0 ? null : mobile;
        }

        // An admin's change to someone else's My Info is recorded; one's own is not an audit event.
        if (actor.UserId != command.UserId && changes.Count > 0)
        {
            db.Add(new AuditEntry
            {
                AtUtc = clock.GetUtcNow().UtcDateTime,
                ActorUserId = actor.UserId,
                ActorName = actor.DisplayName,
                Area = "My Info",
                Subject = name,
                Change = string.Join("; ", changes),
            });
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception exception) when (StorageFailure.IsDiskFull(exception))
        {
            return new MyInfoSaveResult(new Dictionary<string, string> { [MyInfoSaveResult.FormError] = StorageFailure.DiskFullSentence });
        }

        return new MyInfoSaveResult(new Dictionary<string, string>());
    }

    /// <summary>E.164 for a valid mobile number (or one that may be mobile), read with the clinic's country as default; null otherwise.</summary>
    public static string? ParseMobile(string input, string defaultRegion) =>
        PhoneNumberRules.NormalizeMobile(input, defaultRegion) is { Succeeded: true } mobile ? mobile.Value : null;

    /// <summary>How a stored E.164 number is shown: national format at home, international otherwise.</summary>
    public static string FormatMobile(string e164, string clinicRegion) => PhoneNumberRules.Display(e164, clinicRegion);

    public const string MovesLabel = "Also tell me when an appointment is moved";
    public const string NewBookingsLabel = "Also tell me about new bookings";

    private static string OnOff(bool on) => on ? "on" : "off";

    public static string DescribeWindow(int? days) => days switch
    {
        null => "Anytime",
        1 => "1 day",
        _ => $"{days} days",
    };

    private static string ExampleMobile(string region)
    {
        var util = PhoneNumberUtil.GetInstance();
        var example = util.GetExampleNumberForType(region, PhoneNumberType.MOBILE);
        return example is null ? "+61 412 345 678" : util.Format(example, PhoneNumberFormat.NATIONAL);
    }

    private static string Show(string value) => value.Length == 0 ? "(none)" : value;

    /// <summary>Loads a person's My Info for editing; refuses anyone but that person or an admin.</summary>
    public async Task<MyInfoDetails> GetForEditingAsync(string userId, CancellationToken cancellationToken = default)
    {
        await RequireMayEditAsync(userId);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken)
                   ?? throw new InvalidOperationException($"No staff member {userId}.");
        var practitioner = await db.Set<Practitioner>().AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, cancellationToken);
        return new MyInfoDetails(
            user.Id,
            user.DisplayName,
            user.Email ?? "",
            practitioner?.Id,
            practitioner?.NotificationEmail ?? user.Email ?? "",
            practitioner?.MobileE164 ?? "",
            practitioner?.NotificationMethod ?? NotificationMethod.Off,
            practitioner?.NotifyWithinDays,
            practitioner?.SmsPausedReason,
            practitioner?.NotifyOfMoves ?? false,
            practitioner?.NotifyOfNewBookings ?? false);
    }

    /// <summary>The practitioner profile id for editing, after the same check (for services keyed by practitioner).</summary>
    public async Task<Actor> RequireMayEditAsync(string userId)
    {
        var actor = await authorization.RequireSignedInAsync();
        if (actor.UserId != userId && !actor.IsAdmin)
        {
            throw new ClinicAuthorizationException($"{actor.DisplayName} may only change their own My Info.");
        }

        return actor;
    }
}

public static class MyInfoExtensions
{
    public static WebApplicationBuilder AddMyInfo(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<MyInfoService>();
        return builder;
    }
}
