using System.Globalization;
using System.Text;

namespace ClinicBlazor.Features.SmsCredits;

/// <summary>
/// The ledger as CSV (RFC 4180): numbers written as plain numbers so a spreadsheet can sum them, and
/// text cells that a spreadsheet would run as a formula (starting with <c>= + - @</c>, tab or CR)
/// neutralised with a leading apostrophe, the cell quoted.
/// </summary>
public static class SmsLedgerCsv
{
    private static readonly string[] Header = ["Date", "Type", "Credits", "Balance after", "Note", "By", "Delivery", "Attempt"];

    public static string Write(IEnumerable<SmsLedgerRow> rows)
    {
        var csv = new StringBuilder();
        csv.AppendJoin(',', Header.Select(Text)).Append("\r\n");
        foreach (var row in rows)
        {
            csv.AppendJoin(',',
                Text(row.AtLocal.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                Text(KindName(row.Kind)),
                Number(row.Amount),
                Number(row.BalanceAfter),
                Text(row.Note),
                Text(row.ActorName),
                Number(row.DeliveryId),
                Number(row.AttemptId)).Append("\r\n");
        }

        return csv.ToString();
    }

    public static string KindName(SmsCreditKind kind) => kind switch
    {
        SmsCreditKind.TopUp => "Top-up",
        SmsCreditKind.Charge => "Charge",
        SmsCreditKind.Refund => "Refund",
        _ => kind.ToString(),
    };

    public static string Number(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    /// <summary>One text cell, neutralised if a spreadsheet would take it for a formula, quoted when needed.</summary>
    public static string Text(string? value)
    {
        var text = value ?? "";
        var neutralise = text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r';
        if (neutralise)
        {
            text = "'" + text;
        }

        return neutralise || text.AsSpan().IndexOfAny(",\"\r\n") >= 0
            ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : text;
    }
}
