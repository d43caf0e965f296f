using ClinicBlazor.Features.Notifications;

namespace ClinicBlazor.Tests.Features.Notifications;

/// <summary>
/// Every state × every event of a delivery: the state it moves to, or "—" when it refuses (and
/// nothing changes). The whole rule in one table, the way the cancellation policy is tested.
/// </summary>
public sealed class DeliveryTransitionTests
{
    private static readonly DateTime Now = new(2026, 11, 24, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Created = Now.AddHours(-1);

    private static readonly string[] Events = ["claim", "sent", "retry", "hold", "give up", "fail", "drop", "skip", "unknown", "delivered", "undelivered"];

    // A Retrying and a Sending delivery here are due (next try and lease in the past); see the tests below for the others.
    public static TheoryData<DeliveryState, string> Table => new()
    {
        //                               claim      sent   retry      hold       give up   fail    drop     skip     unknown  delivered  undelivered
        { DeliveryState.Pending,     "Sending   —      —          —          —         —       Dropped  Skipped  —        —          —" },
        { DeliveryState.Sending,     "Sending   Sent   Retrying   Retrying   Failed    Failed  Dropped  —        Unknown  —          —" },
        { DeliveryState.Sent,        "—         —      —          —          —         —       —        —        —        Delivered  Undelivered" },
        { DeliveryState.Delivered,   "—         —      —          —          —         —       —        —        —        —          —" },
        { DeliveryState.Undelivered, "—         —      —          —          —         —       —        —        —        —          —" },
        { DeliveryState.Retrying,    "Sending   —      —          —          —         —       Dropped  Skipped  —        —          —" },
        { DeliveryState.Failed,      "—         —      —          —          —         —       —        —        —        —          —" },
        { DeliveryState.Skipped,     "—         —      —          —          —         —       —        —        —        —          —" },
        { DeliveryState.Dropped,     "—         —      —          —          —         —       —        —        —        —          —" },
        { DeliveryState.Unknown,     "Sending   Sent   —          —          —         —       —        Skipped  —        —          —" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Each_event_moves_the_delivery_or_is_refused(DeliveryState from, string row)
    {
        var expected = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Events.Length, expected.Length);
        for (var i = 0; i < Events.Length; i++)
        {
            var delivery = In(from);
            var before = Snapshot(delivery);
            var moved = Apply(delivery, Events[i]);
            var what = $"{from} × {Events[i]}";
            if (expected[i] == "—")
            {
                Assert.False(moved, $"{what} should be refused");
                Assert.Equal(before, Snapshot(delivery));
            }
            else
            {
                Assert.True(moved, $"{what} should move");
                Assert.Equal(Enum.Parse<DeliveryState>(expected[i]), delivery.State);
                Assert.Equal(Now, delivery.UpdatedAtUtc);
            }
        }
    }

    [Fact]
    public void A_retry_or_a_lease_not_yet_due_cannot_be_claimed()
    {
        var retrying = In(DeliveryState.Retrying);
        retrying.NextAttemptAtUtc = Now.AddSeconds(1);
        Assert.False(retrying.Claim(Now, Now.AddMinutes(5)));

        var sending = In(DeliveryState.Sending);
        sending.LeaseUntilUtc = Now.AddSeconds(1);
        Assert.False(sending.Claim(Now, Now.AddMinutes(5)));
    }

    [Fact]
    public void A_claim_takes_a_lease_and_counts_the_attempt_and_a_hold_is_a_stored_code()
    {
        var delivery = In(DeliveryState.Retrying);
        delivery.AttemptCount = 2;
        Assert.True(delivery.Claim(Now, Now.AddMinutes(5)));
        Assert.Equal((3, Now.AddMinutes(5), (DateTime?)null), (delivery.AttemptCount, delivery.LeaseUntilUtc, delivery.NextAttemptAtUtc));

        Assert.True(delivery.RetryLater(Now, TimeSpan.FromSeconds(30), 24, "535 authentication failed", HoldCode.EmailSettings));
        Assert.Equal((DeliveryState.Retrying, HoldCode.EmailSettings, Now.AddSeconds(30), (DateTime?)null),
            (delivery.State, delivery.WaitingFor, delivery.NextAttemptAtUtc, delivery.LeaseUntilUtc));
        Assert.Equal("waiting for the email settings to be fixed", delivery.WaitingFor!.Value.Sentence());

        Assert.True(delivery.Claim(Now.AddMinutes(1), Now.AddMinutes(6)));
        Assert.Null(delivery.WaitingFor);
    }

    [Fact]
    public void A_follow_up_is_never_dropped_and_a_retry_past_the_give_up_time_fails()
    {
        var followUp = In(DeliveryState.Pending);
        followUp.Kind = DeliveryKind.Reinstatement;
        Assert.False(followUp.Drop(Now));

        var late = In(DeliveryState.Sending);
        late.CreatedAtUtc = Now.AddHours(-24);
        Assert.True(late.RetryLater(Now, TimeSpan.FromSeconds(30), 24, "try later"));
        Assert.Equal((DeliveryState.Failed, "gave up after a day"), (late.State, late.Reason));
    }

    private static bool Apply(NoticeDelivery delivery, string @event) => @event switch
    {
        "claim" => delivery.Claim(Now, Now.AddMinutes(5)),
        "sent" => delivery.MarkSent(Now, "provider-id"),
        "retry" => delivery.RetryLater(Now, TimeSpan.FromSeconds(30), 24, "try later"),
        "hold" => delivery.RetryLater(Now, TimeSpan.FromSeconds(30), 24, "refused the sign-in", HoldCode.EmailSettings),
        "give up" => delivery.RetryLater(Now, TimeSpan.FromDays(2), 24, "try later"),
        "fail" => delivery.Fail(Now, "mailbox rejected"),
        "drop" => delivery.Drop(Now),
        "skip" => delivery.Skip(Now, "no SMS credits"),
        "unknown" => delivery.MarkUnknown(Now, "checking the provider's log"),
        "delivered" => delivery.ReportDelivery(Now, delivered: true, null),
        "undelivered" => delivery.ReportDelivery(Now, delivered: false, "not delivered (error 30003)"),
        _ => throw new ArgumentOutOfRangeException(nameof(@event)),
    };

    private static NoticeDelivery In(DeliveryState state) => new()
    {
        Kind = DeliveryKind.Cancellation,
        State = state,
        CreatedAtUtc = Created,
        UpdatedAtUtc = Created,
        DueAtUtc = Created,
        NextAttemptAtUtc = state == DeliveryState.Retrying ? Now.AddSeconds(-1) : null,
        LeaseUntilUtc = state == DeliveryState.Sending ? Now.AddSeconds(-1) : null,
    };

    private static (DeliveryState, string?, DateTime, DateTime?, DateTime?, int, HoldCode?) Snapshot(NoticeDelivery d) =>
        (d.State, d.Reason, d.UpdatedAtUtc, d.NextAttemptAtUtc, d.LeaseUntilUtc, d.AttemptCount, d.WaitingFor);
}
