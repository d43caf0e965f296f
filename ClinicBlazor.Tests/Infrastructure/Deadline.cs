using System.Diagnostics;

namespace ClinicBlazor.Tests.Infrastructure;

/// <summary>
/// How long a test is willing to wait, measured on a monotonic stopwatch: it says nothing about what
/// time or day it is, so a wait behaves the same on any date and under a shifted clock.
/// </summary>
public readonly struct Deadline
{
    private readonly long startedAt;
    private readonly TimeSpan timeout;

    private Deadline(TimeSpan timeout)
    {
        startedAt = Stopwatch.GetTimestamp();
        this.timeout = timeout;
    }

    public static Deadline In(TimeSpan timeout) => new(timeout);

    public bool Passed => Stopwatch.GetElapsedTime(startedAt) > timeout;
}
