namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// How one claimed notice delivery ended in a run: tried, sent, whether a reinstated follow-up is now
/// due, and when a delivery the provider turned away for a while (a 429) is due to be tried again.
/// </summary>
public sealed record NoticeOutcome(bool Sent, bool FollowUp, DateTime? RetryAtUtc = null)
{
    public static readonly NoticeOutcome NotSent = new(false, false);
}
