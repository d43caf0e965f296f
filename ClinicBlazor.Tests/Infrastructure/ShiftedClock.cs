using System.Globalization;

namespace ClinicBlazor.Tests.Infrastructure;

/// <summary>
/// The machine's clock moved to another instant and running on from it in real time: what
/// <c>./test.sh --at</c> gives every app the tests start without a fake clock (through
/// <c>CLINIC_TEST_CLOCK</c>), to prove that no test depends on the day it runs. Timers and
/// timestamps stay real, so waits and timeouts behave as usual.
/// </summary>
public sealed class ShiftedClock(TimeSpan offset) : TimeProvider
{
    public const string Variable = "CLINIC_TEST_CLOCK";

    /// <summary>The clock <c>CLINIC_TEST_CLOCK</c> asks for (a UTC instant), or none when it is not set.</summary>
    public static ShiftedClock? FromEnvironment { get; } = Read(Environment.GetEnvironmentVariable(Variable));

    public TimeSpan Offset => offset;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;

    private static ShiftedClock? Read(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var start))
        {
            throw new InvalidOperationException($"{Variable}='{value}' is not an instant; use e.g. '2026-11-28 01:00:00' (UTC).");
        }

        return new ShiftedClock(start - System.GetUtcNow());
    }
}
