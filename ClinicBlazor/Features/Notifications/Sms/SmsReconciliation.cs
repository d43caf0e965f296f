namespace ClinicBlazor.Features.Notifications.Sms;

/// <summary>
/// Finds an ambiguous attempt in the provider's log. Every body ends with the delivery's unique
/// reference, so a match on it is unambiguous; the time bound keeps an older delivery's twin out.
/// </summary>
public static class SmsReconciliation
{
    /// <summary>Allowance for the clock difference between this server and the provider.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The log entry for the attempt that sent <paramref name="body"/>, or null: same body (or the
    /// same trailing reference, should the provider have re-encoded a character), created no earlier
    /// than the attempt's start less <see cref="ClockSkew"/>. With several, the first created.
    /// </summary>
    public static SmsLogEntry? FindMatch(IEnumerable<SmsLogEntry> entries, string body, DateTime attemptStartedUtc)
    {
        var reference = SmsText.ReferenceOf(body);
        var notBefore = attemptStartedUtc - ClockSkew;
        return entries
            .Where(entry => entry.DateCreatedUtc >= notBefore)
            .Where(entry => string.Equals(entry.Body, body, StringComparison.Ordinal)
                            || (reference is not null && string.Equals(SmsText.ReferenceOf(entry.Body), reference, StringComparison.Ordinal)))
            .OrderBy(entry => entry.DateCreatedUtc)
            .FirstOrDefault();
    }
}
