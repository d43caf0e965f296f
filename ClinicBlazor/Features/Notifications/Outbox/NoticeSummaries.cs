namespace ClinicBlazor.Features.Notifications;

/// <summary>One delivery as people see it: "Email sent 10:02", "SMS skipped (no SMS credits)".</summary>
public sealed record DeliverySummary(int Id, NoticeChannel Channel, DeliveryKind Kind, DeliveryState State, string? Reason, string? AtLocal, int Attempts, string? NextAttemptLocal, bool Resent = false)
{
    /// <summary>An admin may resend it: it failed and has not been resent already.</summary>
    public bool CanResend => State == DeliveryState.Failed && !Resent;

    public string Text
    {
        get
        {
            var channel = Channel == NoticeChannel.Email ? "Email" : "SMS";
            var what = Kind == DeliveryKind.Reinstatement ? $"{channel} follow-up" : channel;
            var text = $"{what} {State.ToString().ToLowerInvariant()}";
            if (AtLocal is not null)
            {
                text += $" {AtLocal}";
            }

            if (State == DeliveryState.Retrying && NextAttemptLocal is not null)
            {
                text += $", next try {NextAttemptLocal}";
            }

            text = Reason is null ? text : $"{text} ({Reason})";
            return Resent ? $"{text}, resent" : text;
        }
    }
}

/// <summary>A notice (a cancellation, move or new booking) as My Info and the Outbox show it; <see cref="Change"/> says which, in a line.</summary>
public sealed record NoticeSummary(
    int Id,
    int PractitionerId,
    string PractitionerName,
    string PatientName,
    string AppointmentLocal,
    string AppointmentTypeName,
    string CancelledAtLocal,
    string CancelledBy,
    string? Reason,
    string? SuppressionReason,
    bool Reinstated,
    IReadOnlyList<DeliverySummary> Deliveries,
    string PractitionerUserId = "",
    NoticeKind Kind = NoticeKind.Cancellation,
    string Change = "Cancelled")
{
    /// <summary>"(reinstated)" after a cancellation undone, "(undone)" after a move moved back or a booking cancelled.</summary>
    public string UndoneNote => !Reinstated ? "" : Kind == NoticeKind.Cancellation ? " (reinstated)" : " (undone)";

    /// <summary>Deliveries side by side ("Email sent 10:02 · SMS skipped"), or why nobody was told.</summary>
    public string Status => SuppressionReason is not null
        ? $"Not sent: {SuppressionReason}"
        : Deliveries.Count == 0 ? "Nothing to send" : string.Join(" · ", Deliveries.Select(d => d.Text));

    /// <summary>The status as an admin reads it, about the practitioner: "Not sent: outside Priya's 3-day window", "Not sent: cancelled by Priya".</summary>
    public string StatusAboutPractitioner
    {
        get
        {
            if (SuppressionReason is not { } reason)
            {
                return Status;
            }

            var firstName = PractitionerName.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? PractitionerName;
            var about = reason switch
            {
                _ when reason.EndsWith(" by you", StringComparison.Ordinal) => $"{reason[..^3]}{firstName}",
                NoticePolicy.NotificationsOff => $"{firstName} has notifications off",
                _ when reason.Contains(" your ", StringComparison.Ordinal) => reason.Replace(" your ", $" {firstName}'s ", StringComparison.Ordinal),
                _ => reason,
            };
            return $"Not sent: {about}";
        }
    }
}

/// <summary>The Outbox's filters; <paramref name="Search"/> matches a patient, a practitioner or a subject; <paramref name="Limit"/> rows of each list (Show more raises it).</summary>
public sealed record OutboxFilter(int? PractitionerId = null, DeliveryState? State = null, DateOnly? Day = null, string? Search = null, int Limit = OutboxFilter.PageSize)
{
    public const int PageSize = 50;

    /// <summary>The search as lower-case text, or null when there is none.</summary>
    public string? Term => string.IsNullOrWhiteSpace(Search) ? null : Search.Trim().ToLowerInvariant();
}

public sealed record OutboxMessageSummary(int Id, string CreatedLocal, string Kind, string To, string Subject, OutboxMessageState State, string? SentLocal, string? Error, string TextBody, string? HtmlBody, NoticeChannel Channel = NoticeChannel.Email);
