using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// Keeps a queued message's private link (a patient's booking link) out of the database in clear:
/// encrypted with Data Protection until the dispatcher puts it into the email, deleted once the
/// message is final.
/// </summary>
public sealed class PrivateLinks(IDataProtectionProvider dataProtection)
{
    private readonly IDataProtector protector = dataProtection.CreateProtector("ClinicBlazor.Outbox.PrivateLink");

    public string Protect(string link) => protector.Protect(link);

    /// <summary>The link, or null when it cannot be read (the keys it was written with are gone).</summary>
    public string? Unprotect(string protectedLink)
    {
        try
        {
            return protector.Unprotect(protectedLink);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
