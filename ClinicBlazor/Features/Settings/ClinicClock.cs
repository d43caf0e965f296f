namespace ClinicBlazor.Features.Settings;

/// <summary>
/// Local wall-clock times to UTC instants on the days the clocks change. A local time that does
/// not exist (the spring-forward gap) moves to the first instant after the gap; one that occurs
/// twice (the autumn fall-back) resolves to its first occurrence for the start of a period and its
/// second for the end, so a working period covers every instant it names.
/// </summary>
public static class ClinicClock
{
    public static DateTime StartToUtc(DateOnly date, TimeOnly time, TimeZoneInfo zone) => ToUtc(date.ToDateTime(time), zone, earliest: true);

    public static DateTime EndToUtc(DateOnly date, TimeOnly time, TimeZoneInfo zone) => ToUtc(date.ToDateTime(time), zone, earliest: false);

    public static DateTime ToUtc(DateTime local, TimeZoneInfo zone, bool earliest)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            // In the gap: the wall clock jumps over it, so the first real instant is the gap's end.
            var probe = local;
            while (zone.IsInvalidTime(probe))
            {
                probe = probe.AddMinutes(1);
            }

            return TimeZoneInfo.ConvertTimeToUtc(probe, zone);
        }

        if (zone.IsAmbiguousTime(local))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            var instants = offsets.Select(offset => DateTime.SpecifyKind(local - offset, DateTimeKind.Utc)).Order().ToArray();
            return earliest ? instants[0] : instants[^1];
        }

        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }
}
