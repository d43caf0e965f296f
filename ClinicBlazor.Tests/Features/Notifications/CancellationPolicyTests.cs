using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Staff;

namespace ClinicBlazor.Tests.Features.Notifications;

public sealed class CancellationPolicyTests
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
        var decision = CancellationPolicy.Decide(new NoticeSettings(method, withinDays), byThePractitioner, CancelledAt.AddHours(startHoursAfter), CancelledAt);

        Assert.Equal(expectedReason, decision.SuppressionReason);
        Assert.Equal(expectedReason is null, decision.Notifies);
    }
}
