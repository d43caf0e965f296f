using System.Globalization;
using System.Text;
using CsvHelper;

namespace ClinicBlazor.Features.SmsCredits;

/// <summary>
/// The ledger as CSV (RFC 4180, written by CsvHelper): numbers as plain numbers so a spreadsheet can
/// sum them, and any text cell a spreadsheet could run as a formula neutralised with a leading
/// apostrophe and quoted (OWASP's CSV injection guidance).
/// </summary>
public static class SmsLedgerCsv
{
    private static readonly string[] Header = ["Date", "Type", "Credits", "Balance after", "Note", "By", "Delivery", "Attempt"];

    // CsvHelper's own injection escaping looks at the first character only; ours is below.
    private static readonly CsvWriterOptions Options = new() { Injection = CsvInjection.None };

    public static string Write(IEnumerable<SmsLedgerRow> rows)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, Options, leaveOpen: true))
        {
            foreach (var name in Header)
            {
                WriteText(csv, name);
            }

            csv.EndRecord();
            foreach (var row in rows)
            {
                WriteText(csv, row.AtLocal.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
                WriteText(csv, KindName(row.Kind));
                csv.WriteField(Number(row.Amount));
                csv.WriteField(Number(row.BalanceAfter));
                WriteText(csv, row.Note);
                WriteText(csv, row.ActorName);
                csv.WriteField(Number(row.DeliveryId));
                csv.WriteField(Number(row.AttemptId));
                csv.EndRecord();
            }
        }

        return text.ToString();
    }

    public static string KindName(SmsCreditKind kind) => kind switch
    {
        SmsCreditKind.TopUp => "Top-up",
        SmsCreditKind.Charge => "Charge",
        SmsCreditKind.Refund => "Refund",
        _ => kind.ToString(),
    };

    public static string Number(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    /// <summary>One text cell as it appears in the file: neutralised if it could be a formula, quoted when needed.</summary>
    public static string Text(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, Options, leaveOpen: true))
        {
            WriteText(csv, value);
            csv.Flush();
        }

        // One field, without the record's line ending.
        return text.ToString().TrimEnd('\r', '\n');
    }

    private static void WriteText(CsvWriter csv, string? value)
    {
        var text = value ?? "";
        if (CouldBeFormula(text))
        {
            csv.WriteField("'" + text, CsvQuoting.Always);
        }
        else
        {
            csv.WriteField(text);
        }
    }

    /// <summary>
    /// True when a spreadsheet could read the cell, or a piece of it split off at a separator, as a
    /// formula: = + - @ (or their full-width forms) after any leading whitespace, no-break or
    /// full-width spaces included, or a leading tab or carriage return.
    /// </summary>
    public static bool CouldBeFormula(string text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        if (text[0] is '\t' or '\r')
        {
            return true;
        }

        // NFKC folds the full-width forms (＝ ＋ － ＠) and odd spaces into their ASCII kin.
        var folded = text.Normalize(NormalizationForm.FormKC);
        var atCellStart = true;
        foreach (var c in folded)
        {
            if (c is ',' or ';' or '\t' or '\r' or '\n' or '|')
            {
                atCellStart = true;
            }
            else if (char.IsWhiteSpace(c) || char.IsSeparator(c) || char.IsControl(c) || c == '\u200B' || c == '\uFEFF')
            {
                continue;
            }
            else if (atCellStart && c is '=' or '+' or '-' or '@' or '\u2212')
            {
                return true;
            }
            else
            {
                atCellStart = false;
            }
        }

        return false;
    }
}
