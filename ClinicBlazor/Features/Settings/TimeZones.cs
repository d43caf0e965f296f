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

    /// <summary>
    /// A wall-clock time in a zone as UTC. A time skipped when clocks go forward is shifted forward
    /// by the gap (02:30 reads as 03:30, as NodaTime's lenient resolver does); a time that happens
    /// twice when clocks go back means the first of the two.
    /// </summary>
    public static DateTime ToUtc(TimeZoneInfo zone, DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            // Clocks go forward from standard time: the offset before the gap is the standard one.
            return DateTime.SpecifyKind(local - zone.BaseUtcOffset, DateTimeKind.Utc);
        }

        if (zone.IsAmbiguousTime(local))
        {
            return DateTime.SpecifyKind(local - zone.GetAmbiguousTimeOffsets(local).Max(), DateTimeKind.Utc);
        }

        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }
}
