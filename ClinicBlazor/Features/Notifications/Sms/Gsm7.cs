using System.Globalization;
using System.Text;

namespace ClinicBlazor.Features.Notifications.Sms;

/// <summary>
/// The GSM 03.38 default alphabet: what fits one 160-septet SMS segment without switching the whole
/// message to UCS-2 (70 characters).
/// </summary>
public static class Gsm7
{
    public const int SegmentSeptets = 160;

    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    /// <summary>Characters reached through the escape code: each costs two septets.</summary>
    private const string Extension = "^{}\\[~]|€";

    private static readonly Dictionary<char, string> Transliterations = new()
    {
        ['ł'] = "l", ['Ł'] = "L", ['đ'] = "d", ['Đ'] = "D", ['ħ'] = "h", ['Ħ'] = "H", ['ı'] = "i",
        ['œ'] = "oe", ['Œ'] = "OE", ['þ'] = "th", ['Þ'] = "Th", ['ð'] = "d", ['ŋ'] = "n",
        ['‘'] = "'", ['’'] = "'", ['‚'] = "'", ['‛'] = "'", ['′'] = "'", ['`'] = "'", ['´'] = "'",
        ['“'] = "\"", ['”'] = "\"", ['„'] = "\"", ['″'] = "\"", ['«'] = "\"", ['»'] = "\"",
        ['–'] = "-", ['—'] = "-", ['‐'] = "-", ['‑'] = "-", ['−'] = "-", ['…'] = "...", ['•'] = "-",
        ['\t'] = " ", ['\f'] = " ",
    };

    public static bool IsBasic(char c) => Basic.Contains(c, StringComparison.Ordinal);

    public static bool IsExtension(char c) => Extension.Contains(c, StringComparison.Ordinal);

    public static bool IsGsm7(char c) => IsBasic(c) || IsExtension(c);

    /// <summary>Septets the text needs; throws for a character outside GSM-7 (call <see cref="Replace"/> first).</summary>
    public static int CountSeptets(string text)
    {
        var septets = 0;
        foreach (var c in text)
        {
            septets += IsBasic(c) ? 1 : IsExtension(c) ? 2 : throw new ArgumentException($"'{c}' (U+{(int)c:X4}) is not a GSM-7 character.", nameof(text));
        }

        return septets;
    }

    public static bool IsGsm7(string text) => text.All(IsGsm7);

    /// <summary>
    /// The text in GSM-7: accents the alphabet lacks are dropped ("á" → "a"), typographic quotes and
    /// dashes become plain ones, a few letters are spelt out ("ł" → "l"), anything else becomes "?".
    /// </summary>
    public static string Replace(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.IsBmp && IsGsm7((char)rune.Value))
            {
                result.Append((char)rune.Value);
                continue;
            }

            if (rune.IsBmp && Transliterations.TryGetValue((char)rune.Value, out var spelt))
            {
                result.Append(spelt);
                continue;
            }

            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Format or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark)
            {
                // Joiners, variation selectors and loose accents carry no letter of their own.
                continue;
            }

            if (category is UnicodeCategory.SpaceSeparator or UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                result.Append(' ');
                continue;
            }

            var stripped = StripAccents(rune.ToString());
            result.Append(stripped.Length > 0 && IsGsm7(stripped) ? stripped : "?");
        }

        return result.ToString();
    }

    /// <summary>The longest start of <paramref name="text"/> (GSM-7 already) within <paramref name="maxSeptets"/>.</summary>
    public static string Truncate(string text, int maxSeptets)
    {
        var septets = 0;
        for (var i = 0; i < text.Length; i++)
        {
            septets += IsExtension(text[i]) ? 2 : 1;
            if (septets > maxSeptets)
            {
                return text[..i];
            }
        }

        return text;
    }

    private static string StripAccents(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var letters = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                letters.Append(c);
            }
        }

        return letters.ToString().Normalize(NormalizationForm.FormC);
    }
}
