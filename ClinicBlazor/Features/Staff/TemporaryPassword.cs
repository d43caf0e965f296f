using System.Security.Cryptography;

namespace ClinicBlazor.Features.Staff;

/// <summary>The temporary password an admin hands a new or locked-out staff member.</summary>
public static class TemporaryPassword
{
    /// <summary>16 characters from a cryptographic generator, with each kind Identity requires.</summary>
    public static string Create()
    {
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
        const string lower = "abcdefghijkmnopqrstuvwxyz";
        const string digits = "23456789";
        const string symbols = "#%+=?!";
        const string all = upper + lower + digits + symbols;
        var characters = new char[16];
        characters[0] = upper[RandomNumberGenerator.GetInt32(upper.Length)];
        characters[1] = lower[RandomNumberGenerator.GetInt32(lower.Length)];
        characters[2] = digits[RandomNumberGenerator.GetInt32(digits.Length)];
        characters[3] = symbols[RandomNumberGenerator.GetInt32(symbols.Length)];
        for (var i = 4; i < characters.Length; i++)
        {
            characters[i] = all[RandomNumberGenerator.GetInt32(all.Length)];
        }

        RandomNumberGenerator.Shuffle(characters.AsSpan());
        return new string(characters);
    }
}
