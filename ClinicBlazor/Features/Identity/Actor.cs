namespace ClinicBlazor.Features.Identity;

/// <summary>Who is doing something: a signed-in member of staff, with their roles.</summary>
public sealed record Actor(string UserId, string DisplayName, IReadOnlySet<string> Roles)
{
    public bool IsAdmin => Roles.Contains(Identity.Roles.Admin);
    public bool IsReceptionist => Roles.Contains(Identity.Roles.Receptionist);
    public bool IsPractitioner => Roles.Contains(Identity.Roles.Practitioner);

    public bool IsStaff => IsAdmin || IsReceptionist || IsPractitioner;
}

/// <summary>What a service may be asked to do; <see cref="ClinicAuthorization"/> maps it to roles.</summary>
public enum Permission
{
    /// <summary>See the calendar; book, move, cancel any appointment; patients.</summary>
    UseCalendar,

    /// <summary>Clinic settings, staff, audit.</summary>
    ManageClinic,

    /// <summary>SMS credits: balance, top up, ledger.</summary>
    ManageSmsCredits,

    /// <summary>The Outbox: every outgoing message, every practitioner's notice history, resend.</summary>
    ViewOutbox,
}

/// <summary>A service was called by someone not allowed to: a bug or a forged request, never a UI path.</summary>
public sealed class ClinicAuthorizationException(string message) : Exception(message);
