using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Staff;

namespace ClinicBlazor.Tests.Features.Notifications;

public sealed class NoticePolicyTests
{
    private static readonly DateTime CancelledAt = new(2026, 11, 23, 22, 0, 0, DateTimeKind.Utc);

    public static TheoryData<NotificationMethod, int?, bool, double, string?> Table => new()
    {
        // method, within days, by the practitioner, start (hours after cancelling), expected reason
        { NotificationMethod.Off, null, false, 5, "notifications off" },
        { NotificationMethod.Off, 2, true, -1, "notifications off" },
        { NotificationMethod.Email, null, false, 5, null },
        { NotificationMethod.Email, null, true, 5, "cancelled by you" },
        { NotificationMethod.Email, 2, false, 47, null },
        { NotificationMethod.Email, 2, false, 48, null },
        { NotificationMethod.Email, 2, false, 49, "outside your 2-day window" },
        { NotificationMethod.Sms, 7, false, 7 * 24 + 0.01, "outside your 7-day window" },
        { NotificationMethod.SmsAndEmail, null, false, 60 * 24, null },
        { NotificationMethod.Email, null, false, 0, "appointment already started" },
        { NotificationMethod.Email, 2, false, -0.5, "appointment already started" },
        { NotificationMethod.Email, 30, false, 30 * 24, null },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Decide_follows_the_table(NotificationMethod method, int? withinDays, bool byThePractitioner, double startHoursAfter, string? expectedReason)
    {
        var decision = NoticePolicy.Decide(new NoticeSettings(method, withinDays), byThePractitioner, CancelledAt.AddHours(startHoursAfter), CancelledAt);

        Assert.Equal(expectedReason, decision.SuppressionReason);
        Assert.Equal(expectedReason is null, decision.Notifies);
    }

    public enum Actor
    {
        Self,
        OtherStaff,
        PatientOnline,
    }

    /// <summary>Where the appointment was and is, against a 2-day window, as hours after the change (old, new).</summary>
    public enum Window
    {
        Inside,
        Outside,
        OldInsideNewOutside,
        OldOutsideNewInside,
        Past,
    }

    private static (double Old, double New) Hours(Window window) => window switch
    {
        Window.Inside => (5, 30),
        Window.Outside => (49, 72),
        Window.OldInsideNewOutside => (5, 72),
        Window.OldOutsideNewInside => (72, 5),
        _ => (-2, -1),
    };

    public static TheoryData<NoticeKind, Actor, Window, NotificationMethod, bool, string?> KindTable => new()
    {
        // kind, who made the change, window, method, chose this kind, expected reason
        { NoticeKind.Cancellation, Actor.OtherStaff, Window.Inside, NotificationMethod.Email, false, null },
        { NoticeKind.Cancellation, Actor.PatientOnline, Window.Inside, NotificationMethod.Sms, false, null },
        { NoticeKind.Cancellation, Actor.Self, Window.Inside, NotificationMethod.Email, false, "cancelled by you" },
        { NoticeKind.Cancellation, Actor.OtherStaff, Window.Outside, NotificationMethod.Email, false, "outside your 2-day window" },
        { NoticeKind.Cancellation, Actor.PatientOnline, Window.Past, NotificationMethod.Email, false, "appointment already started" },
        { NoticeKind.Cancellation, Actor.OtherStaff, Window.Inside, NotificationMethod.Off, true, "notifications off" },

        { NoticeKind.NewBooking, Actor.OtherStaff, Window.Inside, NotificationMethod.Email, true, null },
        { NoticeKind.NewBooking, Actor.PatientOnline, Window.Inside, NotificationMethod.SmsAndEmail, true, null },
        { NoticeKind.NewBooking, Actor.Self, Window.Inside, NotificationMethod.Email, true, "booked by you" },
        { NoticeKind.NewBooking, Actor.PatientOnline, Window.Inside, NotificationMethod.Email, false, "new-booking notifications off" },
        { NoticeKind.NewBooking, Actor.OtherStaff, Window.Outside, NotificationMethod.Email, true, "outside your 2-day window" },
        { NoticeKind.NewBooking, Actor.PatientOnline, Window.Past, NotificationMethod.Email, true, "appointment already started" },
        { NoticeKind.NewBooking, Actor.OtherStaff, Window.Inside, NotificationMethod.Off, true, "notifications off" },

        { NoticeKind.Move, Actor.OtherStaff, Window.Inside, NotificationMethod.Email, true, null },
        { NoticeKind.Move, Actor.OtherStaff, Window.Inside, NotificationMethod.Sms, true, null },
        { NoticeKind.Move, Actor.Self, Window.Inside, NotificationMethod.Email, true, "moved by you" },
        { NoticeKind.Move, Actor.OtherStaff, Window.Inside, NotificationMethod.Email, false, "move notifications off" },
        { NoticeKind.Move, Actor.OtherStaff, Window.Outside, NotificationMethod.Email, true, "outside your 2-day window" },
        { NoticeKind.Move, Actor.OtherStaff, Window.OldInsideNewOutside, NotificationMethod.Email, true, null },
        { NoticeKind.Move, Actor.OtherStaff, Window.OldOutsideNewInside, NotificationMethod.Email, true, null },
        { NoticeKind.Move, Actor.Self, Window.OldOutsideNewInside, NotificationMethod.Email, true, "moved by you" },
        { NoticeKind.Move, Actor.OtherStaff, Window.Past, NotificationMethod.Email, true, "appointment already started" },
        { NoticeKind.Move, Actor.OtherStaff, Window.Outside, NotificationMethod.Email, false, "move notifications off" },
        { NoticeKind.Move, Actor.OtherStaff, Window.Inside, NotificationMethod.Off, true, "notifications off" },
    };

    [Theory]
    [MemberData(nameof(KindTable))]
    public void Decide_for_every_kind_follows_the_table(NoticeKind kind, Actor actor, Window window, NotificationMethod method, bool chose, string? expectedReason)
    {
        var (oldHours, newHours) = Hours(window);
        var settings = new NoticeSettings(method, 2, Moves: chose && kind == NoticeKind.Move, NewBookings: chose && kind == NoticeKind.NewBooking);

        var decision = NoticePolicy.Decide(
            kind, settings, actor == Actor.Self, CancelledAt.AddHours(newHours), CancelledAt, kind == NoticeKind.Move ? CancelledAt.AddHours(oldHours) : null);

        Assert.Equal(expectedReason, decision.SuppressionReason);
        Assert.Equal(expectedReason is null, decision.Notifies);
    }

    [Theory]
    [InlineData(NoticeKind.Cancellation, "notifications off", true)]
    [InlineData(NoticeKind.Move, "notifications off", false)]
    [InlineData(NoticeKind.Move, "move notifications off", false)]
    [InlineData(NoticeKind.NewBooking, "new-booking notifications off", false)]
    [InlineData(NoticeKind.Move, "moved by you", true)]
    [InlineData(NoticeKind.NewBooking, "outside your 2-day window", true)]
    [InlineData(NoticeKind.Move, null, true)]
    public void Only_a_practitioner_who_chose_moves_or_new_bookings_keeps_their_history(NoticeKind kind, string? reason, bool kept) =>
        Assert.Equal(kept, NoticePolicy.KeepsHistory(kind, new NoticeDecision(reason)));
}
