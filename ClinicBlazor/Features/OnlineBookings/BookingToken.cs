using System.Buffers.Text;
using System.Security.Cryptography;

namespace ClinicBlazor.Features.OnlineBookings;

/// <summary>
/// The private link a patient manages their booking with: 128 random bits from the cryptographic
/// generator, URL-safe (22 characters). Only its SHA-256 hash is stored, so a copy of the database
/// cannot be turned into working links.
/// </summary>
public static class BookingToken
{
    private const int TokenBytes = 16;

    public static (string Token, byte[] Hash) Create()
    {
        Span<byte> bytes = stackalloc byte[TokenBytes];
        RandomNumberGenerator.Fill(bytes);
        var token = Base64Url.EncodeToString(bytes);
        return (token, SHA256.HashData(bytes));
    }

    /// <summary>The stored hash for a token from a link, or null when the text cannot be a token.</summary>
    public static byte[]? HashOf(string? token)
    {
        // A link anyone can type: anything that is not exactly a token's encoding is simply not one.
        if (string.IsNullOrEmpty(token) || token.Length > 64 || !Base64Url.IsValid(token, out var length) || length != TokenBytes)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[48];
        if (!Base64Url.TryDecodeFromChars(token, bytes, out var written) || written != TokenBytes)
        {
            return null;
        }

        return SHA256.HashData(bytes[..written]);
    }
}
