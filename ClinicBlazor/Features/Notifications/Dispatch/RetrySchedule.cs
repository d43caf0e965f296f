namespace ClinicBlazor.Features.Notifications;

/// <summary>When what was not sent is tried again, and when the app stops trying: one rule for every delivery and queued message.</summary>
public static class RetrySchedule
{
    /// <summary>
    /// FirstDelay × 2^(attempt−1), at most an hour, with ±20 % jitter so a recovered server is not hit
    /// all at once; never sooner than <paramref name="atLeast"/> (a provider's Retry-After).
    /// </summary>
    public static TimeSpan Backoff(int firstDelaySeconds, int attempt, TimeSpan? atLeast = null)
    {
        var seconds = Math.Min(firstDelaySeconds * Math.Pow(2, Math.Max(0, attempt - 1)), 3600);
#pragma warning disable CA5394 // Jitter, not security.
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
#pragma warning restore CA5394
        var delay = TimeSpan.FromSeconds(seconds * jitter);
        return atLeast is { } floor && floor > delay ? floor : delay;
    }

    /// <summary>Whether a try at <paramref name="nextAttemptUtc"/> comes after the give-up time of something made at <paramref name="createdAtUtc"/>.</summary>
    public static bool GivesUp(DateTime createdAtUtc, DateTime nextAttemptUtc, int giveUpAfterHours) =>
        nextAttemptUtc > createdAtUtc.AddHours(giveUpAfterHours);
}
