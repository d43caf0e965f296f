namespace ClinicBlazor.Features.Notifications;

/// <summary>What a delivery carries: the cancellation itself, or the "is back on" follow-up after a reinstatement.</summary>
public enum DeliveryKind
{
    Cancellation = 0,
    Reinstatement = 1,
}
