using System.Security.Cryptography;

namespace ClinicBlazor.Features.Notifications.Sms;

/// <summary>
/// The short reference that ends every SMS ("Ref K7P2"): unique per delivery, so reconciliation can
/// tell this delivery's message from any other to the same number. Read aloud or typed back, it
/// avoids look-alikes (0/O, 1/I/L, Z/2, 5/S, 8/B).
/// </summary>
public static class DeliveryReference
{
    public const string Alphabet = "ACDEFGHJKMNPQRTUVWXY234679";
    public const int MinLength = 4;
    public const int MaxLength = 6;

    public static string New(int length = MinLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, MinLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxLength);
        return RandomNumberGenerator.GetString(Alphabet, length);
    }

    public static bool IsValid(string? reference) =>
        reference is { Length: >= MinLength and <= MaxLength } && reference.All(c => Alphabet.Contains(c, StringComparison.Ordinal));
}
