namespace ClinicBlazor.Features.Staff;

public sealed record StaffMember(
    string UserId,
    string DisplayName,
    string Email,
    IReadOnlySet<string> Roles,
    bool IsActive,
    bool MustChangePassword,
    int? PractitionerId,
    string Title);

public sealed record NewStaffMember(string DisplayName, string Email, IReadOnlySet<string> Roles, string Title = "");

/// <summary>The one time a temporary password is shown: it is not stored anywhere readable.</summary>
public sealed record AddedStaffMember(string UserId, string Email, string TemporaryPassword);

/// <summary>A future appointment that stops a practitioner being deactivated.</summary>
public sealed record BlockingAppointment(int Id, DateTime StartUtc, string PatientName, string TypeName);
