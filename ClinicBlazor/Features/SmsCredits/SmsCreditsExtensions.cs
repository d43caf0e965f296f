using System.Globalization;
using System.Text;
using ClinicBlazor.Features.Identity;

namespace ClinicBlazor.Features.SmsCredits;

public static class SmsCreditsExtensions
{
    public const string ExportPath = "/sms-credits/export.csv";

    /// <summary>The credits ledger service and the low-balance alert (an email to each admin, through the outbox).</summary>
    public static WebApplicationBuilder AddSmsCredits(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<SmsCreditService>();
        builder.Services.AddSingleton<SmsCreditLedger>();
        builder.Services.AddSingleton<ILowBalanceAlert, LowBalanceEmailAlert>();
        return builder;
    }

    /// <summary><c>GET /sms-credits/export.csv?from=2026-11-01&amp;to=2026-11-30&amp;kind=Charge</c>, admins only.</summary>
    public static WebApplication MapSmsCredits(this WebApplication app)
    {
        app.MapGet(ExportPath, async (string? from, string? to, string? kind, SmsCreditService credits, TimeProvider clock, CancellationToken cancellationToken) =>
            {
                var filter = new SmsLedgerFilter(ParseDate(from), ParseDate(to), Enum.TryParse<SmsCreditKind>(kind, ignoreCase: true, out var parsed) ? parsed : null);
                var csv = await credits.ExportCsvAsync(filter, cancellationToken);
                // The BOM tells spreadsheet programs the file is UTF-8 (names with accents).
                var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv)).ToArray();
                var fileName = $"sms-credits-{clock.GetUtcNow():yyyy-MM-dd}.csv";
                return Results.File(bytes, "text/csv; charset=utf-8", fileName);
            })
            .RequireAuthorization(policy => policy.RequireRole(Roles.Admin))
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>The export link for the page's current filter.</summary>
    public static string ExportUrl(SmsLedgerFilter filter)
    {
        var query = new List<string>();
        if (filter.From is { } from)
        {
            query.Add($"from={from:yyyy-MM-dd}");
        }

        if (filter.To is { } to)
        {
            query.Add($"to={to:yyyy-MM-dd}");
        }

        if (filter.Kind is { } kind)
        {
            query.Add($"kind={kind}");
        }

        return query.Count == 0 ? ExportPath : $"{ExportPath}?{string.Join('&', query)}";
    }

    private static DateOnly? ParseDate(string? value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
}
