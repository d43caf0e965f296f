namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// A run's instant on the app's clock: the instant the run was asked for, moved on by the time the
/// clock has run since. Claims, records and the run's own retries all read the run's time from it.
/// </summary>
public sealed class RunClock(DateTime startUtc, TimeProvider clock)
{
    private readonly long started = clock.GetTimestamp();

    public DateTime UtcNow => startUtc + clock.GetElapsedTime(started);
}
