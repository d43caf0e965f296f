using ClinicBlazor.Features.Staff;

namespace ClinicBlazor.Features.Notifications;

/// <summary>A practitioner's notice settings as they were at the moment of cancellation.</summary>
public sealed record NoticeSettings(NotificationMethod Method, int? NotifyWithinDays);

/// <summary>What the policy decided: notify (with the method), or not, and why not.</summary>
public sealed record NoticeDecision(string? SuppressionReason)
{
    public bool Notifies => SuppressionReason is null;
}

/// <summary>
/// Decides, once and at the moment of cancellation, whether the practitioner is told. Pure: it
/// knows nothing of EF or senders, so the whole rule is one table of tests.
/// </summary>
public static class CancellationPolicy
{
    public const string NotificationsOff = "notifications off";
    public const string CancelledByYou = "cancelled by you";
    public const string AlreadyStarted = "appointment already started";

    public static string OutsideWindow(int days) => $"outside your {days}-day window";

    public static NoticeDecision Decide(NoticeSettings settings, bool cancelledByThePractitioner, DateTime startUtc, DateTime cancelledAtUtc)
    {
        if (settings.Method == NotificationMethod.Off)
        {
            return new(NotificationsOff);
        }

        if (cancelledByThePractitioner)
        {
            return new(CancelledByYou);
        }

        if (startUtc <= cancelledAtUtc)
        {
            return new(AlreadyStarted);
        }

        // Exactly N × 24 h still notifies: "no later than".
        if (settings.NotifyWithinDays is { } days && startUtc > cancelledAtUtc.AddHours(24 * days))
        {
            return new(OutsideWindow(days));
        }

        return new(null);
    }
}
