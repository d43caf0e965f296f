using Microsoft.AspNetCore.Identity;

namespace ClinicBlazor.Features.Identity;

/// <summary>A member of staff who signs in: receptionist, practitioner, admin (roles are additive).</summary>
public sealed class StaffUser : IdentityUser
{
    public string DisplayName { get; set; } = "";

    /// <summary>Deactivated staff cannot sign in; their open circuits are signed out on revalidation.</summary>
    public bool IsActive { get; set; } = true;

    /// <summary>Set for a temporary password: the next sign-in asks for a new one.</summary>
    public bool MustChangePassword { get; set; }
}

public static class Roles
{
    public const string Admin = "Admin";
    public const string Receptionist = "Receptionist";
    public const string Practitioner = "Practitioner";

    public static readonly IReadOnlyList<string> All = [Admin, Receptionist, Practitioner];
}
