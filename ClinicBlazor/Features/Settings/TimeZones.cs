namespace ClinicBlazor.Features.Settings;

/// <summary>The IANA time zones this machine knows, for the clinic's searchable list.</summary>
public static class TimeZones
{
    private static readonly Lazy<IReadOnlyList<string>> Ids = new(() => TimeZoneInfo.GetSystemTimeZones()
        .Select(zone => zone.HasIanaId ? zone.Id : TimeZoneInfo.TryConvertWindowsIdToIanaId(zone.Id, out var iana) ? iana : null)
        .OfType<string>()
        .Where(id => id.Contains('/', StringComparison.Ordinal) || id == "UTC")
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)
        .ToList());

    public static IReadOnlyList<string> All => Ids.Value;

    public static bool IsKnown(string? id) => id is not null && All.Contains(id, StringComparer.Ordinal);

    /// <summary>"Australia/Sydney (UTC+11:00)" at the given instant.</summary>
    public static string Describe(string id, DateTime atUtc)
    {
        var offset = TimeZoneInfo.FindSystemTimeZoneById(id).GetUtcOffset(atUtc);
        var sign = offset < TimeSpan.Zero ? "-" : "+";
        return $"{id} (UTC{sign}{offset:hh\\:mm})";
    }
}
