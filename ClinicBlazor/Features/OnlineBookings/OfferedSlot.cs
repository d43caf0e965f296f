namespace ClinicBlazor.Features.OnlineBookings;

public sealed record OfferedPractitioner(int Id, string Name, string Title);

public sealed record OfferedType(int Id, string Name, int DurationMinutes);

/// <summary>What the public booking page may offer today.</summary>
public sealed record BookingChoices(
    string ClinicName,
    string ClinicPhone,
    bool Enabled,
    IReadOnlyList<OfferedPractitioner> Practitioners,
    IReadOnlyList<OfferedType> Types,
    DateOnly FirstDay,
    DateOnly LastDay);

/// <summary>A free slot shown to a patient: with whom, and when (UTC instant and clinic-local label).</summary>
public sealed record OfferedSlot(int PractitionerId, string PractitionerName, DateTime StartUtc, DateTime LocalStart)
{
    /// <summary>The form value that names this slot: "practitioner:UTC ticks".</summary>
    public string Key => $"{PractitionerId}:{StartUtc.Ticks}";

    public static bool TryParseKey(string? key, out int practitionerId, out DateTime startUtc)
    {
        practitionerId = 0;
        startUtc = default;
        var parts = key?.Split(':');
        if (parts is not { Length: 2 } || !int.TryParse(parts[0], out practitionerId) || !long.TryParse(parts[1], out var ticks)
            || ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        startUtc = new DateTime(ticks, DateTimeKind.Utc);
        return true;
    }
}
