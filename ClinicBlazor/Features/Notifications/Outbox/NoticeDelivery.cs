using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.Notifications;

/// <summary>One channel of a notice, with its own state; every try is a <see cref="DeliveryAttempt"/>.</summary>
public sealed class NoticeDelivery
{
    public int Id { get; set; }
    public int NoticeId { get; set; }
    public CancellationNotice? Notice { get; set; }

    /// <summary>Copied from the notice: deliveries are batched per practitioner.</summary>
    public int PractitionerId { get; set; }

    public DeliveryKind Kind { get; set; }
    public NoticeChannel Channel { get; set; }
    public DeliveryState State { get; set; }

    /// <summary>Why it is in this state, for people ("no SMS credits", "mailbox rejected", "gave up after a day").</summary>
    public string? Reason { get; set; }

    /// <summary>What a held delivery waits for (the settings of its channel); null when it waits for nothing.</summary>
    public HoldCode? WaitingFor { get; set; }

    public DateTime CreatedAtUtc { get; set; }

    /// <summary>When this pending delivery's own batch window ends (the practitioner's batch goes at the earliest of these).</summary>
    public DateTime DueAtUtc { get; set; }

    public DateTime? NextAttemptAtUtc { get; set; }
    public DateTime? LeaseUntilUtc { get; set; }
    public DateTime? SentAtUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
    public string? ProviderId { get; set; }
    public int AttemptCount { get; set; }

    /// <summary>For SMS: the short reference that ends the body ("K7P2"), unique to this delivery, for reconciliation.</summary>
    public string? SmsReference { get; set; }

    /// <summary>An admin's Resend makes a new delivery; this points at the failed one.</summary>
    public int? ResendOfDeliveryId { get; set; }

    public List<DeliveryAttempt> Attempts { get; set; } = [];

    /// <summary>The delivery's own due time: Pending at its window's end, Retrying at its next try, Sending when its lease ran out, Unknown at once or at its next look.</summary>
    public bool IsDue(DateTime nowUtc) => IsDue(State, DueAtUtc, NextAttemptAtUtc, LeaseUntilUtc, nowUtc);

    /// <summary>The same rule on a query's columns (<see cref="DueDeliveries"/> reads only these).</summary>
    public static bool IsDue(DeliveryState state, DateTime dueAtUtc, DateTime? nextAttemptAtUtc, DateTime? leaseUntilUtc, DateTime nowUtc) => state switch
    {
        DeliveryState.Pending => dueAtUtc <= nowUtc,
        DeliveryState.Retrying => nextAttemptAtUtc <= nowUtc,
        DeliveryState.Sending => leaseUntilUtc <= nowUtc,
        DeliveryState.Unknown => nextAttemptAtUtc is null || nextAttemptAtUtc <= nowUtc,
        _ => false,
    };

    /// <summary>Whether a claim may take it now (a Pending one is due by its batch, which the caller decides).</summary>
    public bool IsClaimable(DateTime nowUtc) => State switch
    {
        DeliveryState.Pending or DeliveryState.Unknown => true,
        DeliveryState.Retrying or DeliveryState.Sending => IsDue(nowUtc),
        _ => false,
    };

    /// <summary>Claimed: Sending under a lease, one more attempt. Refused unless <see cref="IsClaimable"/>.</summary>
    public bool Claim(DateTime nowUtc, DateTime leaseUntilUtc)
    {
        if (!IsClaimable(nowUtc))
        {
            return false;
        }

        Move(DeliveryState.Sending, nowUtc, Reason);
        LeaseUntilUtc = leaseUntilUtc;
        AttemptCount++;
        return true;
    }

    /// <summary>The provider took it (or its log shows it did).</summary>
    public bool MarkSent(DateTime nowUtc, string providerId)
    {
        if (State is not (DeliveryState.Sending or DeliveryState.Unknown))
        {
            return false;
        }

        Move(DeliveryState.Sent, nowUtc, null);
        SentAtUtc = nowUtc;
        ProviderId = providerId;
        return true;
    }

    /// <summary>
    /// Not sent this time: Retrying after <paramref name="delay"/>, or Failed ("gave up after a day")
    /// when that would be past the give-up time. With <paramref name="waitingFor"/> it is held for its settings.
    /// </summary>
    public bool RetryLater(DateTime nowUtc, TimeSpan delay, int giveUpAfterHours, string reason, HoldCode? waitingFor = null)
    {
        if (State != DeliveryState.Sending)
        {
            return false;
        }

        if (RetrySchedule.GivesUp(CreatedAtUtc, nowUtc + delay, giveUpAfterHours))
        {
            Move(DeliveryState.Failed, nowUtc, giveUpAfterHours == 24 ? "gave up after a day" : $"gave up after {giveUpAfterHours} hours");
            return true;
        }

        Move(DeliveryState.Retrying, nowUtc, reason);
        WaitingFor = waitingFor;
        NextAttemptAtUtc = nowUtc + delay;
        return true;
    }

    /// <summary>
    /// The provider took <paramref name="attempt"/> (or its log shows it did): Sent, and when the
    /// cancellation was undone while it was on its way, its "back on" follow-up. Returns whether one was added.
    /// </summary>
    public bool RecordSent(DeliveryAttempt attempt, DateTime nowUtc, string providerId)
    {
        attempt.Finish(nowUtc, AttemptOutcome.Sent, providerId, null);
        MarkSent(nowUtc, providerId);
        return Notice!.FollowUpIfReinstated(this, nowUtc);
    }

    /// <summary>
    /// Not sent this time but worth another try: Dropped when the cancellation was undone meanwhile,
    /// else <see cref="RetryLater"/> after the backoff (never sooner than <paramref name="retryAfter"/>).
    /// </summary>
    public bool RetryOrDrop(DateTime nowUtc, NotificationsOptions.RetryOptions retry, string reason, HoldCode? waitingFor = null, TimeSpan? retryAfter = null) =>
        DropIfUndone(nowUtc)
        || RetryLater(nowUtc, RetrySchedule.Backoff(retry.FirstDelaySeconds, AttemptCount, retryAfter), retry.GiveUpAfterHours, reason, waitingFor);

    /// <summary>The one place of the rule: a cancellation undone before it went out is not sent (<see cref="Drop"/>).</summary>
    public bool DropIfUndone(DateTime nowUtc) => Notice!.ReinstatedAtUtc is not null && Drop(nowUtc);

    /// <summary>Will never go (the provider refused it for good).</summary>
    public bool Fail(DateTime nowUtc, string reason) => State == DeliveryState.Sending && Move(DeliveryState.Failed, nowUtc, reason);

    /// <summary>
    /// The change was undone before it went: only a notice (not a follow-up) that has not reached the
    /// provider. The reason says which undo (<see cref="UndoneReason"/> of its notice's kind by default).
    /// </summary>
    public bool Drop(DateTime nowUtc, string? reason = null) =>
        Kind == DeliveryKind.Cancellation
        && State is DeliveryState.Pending or DeliveryState.Retrying or DeliveryState.Sending
        && Move(DeliveryState.Dropped, nowUtc, reason ?? UndoneReason(Notice?.Kind ?? NoticeKind.Cancellation));

    /// <summary>Not sent on purpose (no credits, number paused, too late to be useful).</summary>
    public bool Skip(DateTime nowUtc, string reason) =>
        State is DeliveryState.Pending or DeliveryState.Retrying or DeliveryState.Unknown
        && Move(DeliveryState.Skipped, nowUtc, reason);

    /// <summary>May have gone (an ambiguous answer, or a lease that ran out mid-send): the provider's log decides.</summary>
    public bool MarkUnknown(DateTime nowUtc, string reason) => State == DeliveryState.Sending && Move(DeliveryState.Unknown, nowUtc, reason);

    /// <summary>
    /// The provider's delivery report. Only a Sent delivery moves: Delivered and Undelivered are final,
    /// so a late or replayed report never takes one back.
    /// </summary>
    public bool ReportDelivery(DateTime nowUtc, bool delivered, string? reason)
    {
        if (State != DeliveryState.Sent)
        {
            return false;
        }

        State = delivered ? DeliveryState.Delivered : DeliveryState.Undelivered;
        Reason = delivered ? null : reason;
        UpdatedAtUtc = nowUtc;
        return true;
    }

    public const string DroppedReason = "the cancellation was undone before it was sent";
    public const string MoveUndoneReason = "the move was undone before it was sent";
    public const string BookingCancelledReason = "the booking was cancelled before it was sent";

    /// <summary>Why a notice of this kind was dropped when its change was undone.</summary>
    public static string UndoneReason(NoticeKind kind) => kind switch
    {
        NoticeKind.Move => MoveUndoneReason,
        NoticeKind.NewBooking => BookingCancelledReason,
        _ => DroppedReason,
    };

    private bool Move(DeliveryState state, DateTime nowUtc, string? reason)
    {
        State = state;
        Reason = reason;
        WaitingFor = null;
        UpdatedAtUtc = nowUtc;
        if (state != DeliveryState.Sending)
        {
            LeaseUntilUtc = null;
        }

        if (state != DeliveryState.Retrying)
        {
            NextAttemptAtUtc = null;
        }

        return true;
    }
}

internal sealed class NoticeDeliveryConfiguration : IEntityTypeConfiguration<NoticeDelivery>
{
    public void Configure(EntityTypeBuilder<NoticeDelivery> builder)
    {
        builder.Property(d => d.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.Channel).HasConversion<string>().HasMaxLength(10);
        builder.Property(d => d.State).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.Reason).HasMaxLength(500);
        builder.Property(d => d.WaitingFor).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.ProviderId).HasMaxLength(200);
        builder.Property(d => d.SmsReference).HasMaxLength(10);
        builder.HasIndex(d => d.ProviderId);
        builder.HasMany(d => d.Attempts).WithOne().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => new { d.State, d.Channel });
        builder.HasIndex(d => d.PractitionerId);
    }
}
