namespace ClinicBlazor.Features.Notifications;

/// <summary>How one claimed notice delivery ended in a run: tried, sent, and whether a reinstated follow-up is now due.</summary>
public sealed record NoticeOutcome(bool Sent, bool FollowUp)
{
    public static readonly NoticeOutcome NotSent = new(false, false);
}
