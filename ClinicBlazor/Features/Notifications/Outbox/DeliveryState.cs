namespace ClinicBlazor.Features.Notifications;

/// <summary>Where a delivery stands; the transitions are <see cref="NoticeDelivery"/>'s methods.</summary>
public enum DeliveryState
{
    Pending = 0,
    Sending = 1,
    Sent = 2,
    Delivered = 3,
    Undelivered = 4,
    Retrying = 5,
    Failed = 6,
    Skipped = 7,
    Dropped = 8,
    Unknown = 9,
}
