using ClinicBlazor.Features.Staff;

namespace ClinicBlazor.Features.Notifications;

/// <summary>What changed in a practitioner's day: the kind of a notice.</summary>
public enum NoticeKind
{
    /// <summary>One of their appointments was cancelled.</summary>
    Cancellation = 0,

    /// <summary>One of their appointments was moved (another time, or to another practitioner).</summary>
    Move = 1,

    /// <summary>An appointment was booked with them (or moved to them from another practitioner).</summary>
    NewBooking = 2,
}

/// <summary>A practitioner's notice settings as they were at the moment of the change.</summary>
public sealed record NoticeSettings(NotificationMethod Method, int? NotifyWithinDays, bool Moves = false, bool NewBookings = false)
{
    /// <summary>Whether the practitioner asked to hear of this kind of change (cancellations come with the method).</summary>
    public bool Chooses(NoticeKind kind) => kind switch
    {
        NoticeKind.Move => Moves,
        NoticeKind.NewBooking => NewBookings,
        _ => true,
    };
}

/// <summary>What the policy decided: notify (with the method), or not, and why not.</summary>
public sealed record NoticeDecision(string? SuppressionReason)
{
    public bool Notifies => SuppressionReason is null;
}

/// <summary>
/// Decides, once and at the moment of the change (a cancellation, a move, a new booking), whether
/// the practitioner is told. Pure: it knows nothing of EF or senders, so the whole rule is one table
/// of tests.
/// </summary>
public static class NoticePolicy
{
    public const string NotificationsOff = "notifications off";
    public const string CancelledByYou = "cancelled by you";
    public const string MovedByYou = "moved by you";
    public const string BookedByYou = "booked by you";
    public const string MovesOff = "move notifications off";
    public const string NewBookingsOff = "new-booking notifications off";
    public const string AlreadyStarted = "appointment already started";

    public static string OutsideWindow(int days) => $"outside your {days}-day window";

    /// <summary>A cancellation: the rule SPEC states, the same as <see cref="Decide(NoticeKind, NoticeSettings, bool, DateTime, DateTime, DateTime?)"/> for <see cref="NoticeKind.Cancellation"/>.</summary>
    public static NoticeDecision Decide(NoticeSettings settings, bool cancelledByThePractitioner, DateTime startUtc, DateTime cancelledAtUtc) =>
        Decide(NoticeKind.Cancellation, settings, cancelledByThePractitioner, startUtc, cancelledAtUtc);

    /// <summary>
    /// For a move, <paramref name="previousStartUtc"/> is where it was: the window counts when either
    /// the old or the new start is within it, and only a move whose old and new starts have both
    /// passed is "already started".
    /// </summary>
    public static NoticeDecision Decide(NoticeKind kind, NoticeSettings settings, bool byThePractitioner, DateTime startUtc, DateTime changedAtUtc, DateTime? previousStartUtc = null)
    {
        if (settings.Method == NotificationMethod.Off)
        {
            return new(NotificationsOff);
        }

        if (!settings.Chooses(kind))
        {
            return new(kind == NoticeKind.Move ? MovesOff : NewBookingsOff);
        }

        if (byThePractitioner)
        {
            return new(kind switch
            {
                NoticeKind.Move => MovedByYou,
                NoticeKind.NewBooking => BookedByYou,
                _ => CancelledByYou,
            });
        }

        var ahead = new[] { startUtc, previousStartUtc ?? startUtc }.Where(start => start > changedAtUtc).ToList();
        if (ahead.Count == 0)
        {
            return new(AlreadyStarted);
        }

        // Exactly N × 24 h still notifies: "no later than".
        if (settings.NotifyWithinDays is { } days && ahead.All(start => start > changedAtUtc.AddHours(24 * days)))
        {
            return new(OutsideWindow(days));
        }

        return new(null);
    }

    /// <summary>
    /// Whether a decision is kept as a history row. A cancellation always is (SPEC's reasons); a move
    /// or new booking only for a practitioner who chose to hear of them, so the history of one who did
    /// not is not filled with every booking in the clinic.
    /// </summary>
    public static bool KeepsHistory(NoticeKind kind, NoticeDecision decision) =>
        kind == NoticeKind.Cancellation || decision.SuppressionReason is not (NotificationsOff or MovesOff or NewBookingsOff);
}
