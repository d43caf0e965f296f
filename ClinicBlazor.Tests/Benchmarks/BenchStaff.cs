using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Staff;

namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>Practitioners for the benchmarks' set-up, each a staff user as the app requires, written directly.</summary>
internal static class BenchStaff
{
    public static (StaffUser User, Practitioner Practitioner) NewPractitioner(string email, string displayName, int sortOrder)
    {
        var user = new StaffUser
        {
            UserName = email,
            NormalizedUserName = email.ToUpperInvariant(),
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            DisplayName = displayName,
            SecurityStamp = Guid.NewGuid().ToString(),
        };
        var practitioner = new Practitioner { UserId = user.Id, DisplayName = displayName, Title = "Physiotherapist", NotificationEmail = email, SortOrder = sortOrder };
        return (user, practitioner);
    }
}
