namespace ClinicBlazor.Features.Notifications;

/// <summary>What a delivery carries: the notice itself (a cancellation, move or new booking: see <see cref="NoticeKind"/>), or the "is back on" follow-up after a reinstatement.</summary>
public enum DeliveryKind
{
    /// <summary>The notice itself, whatever its kind (the name is the first kind's, as stored).</summary>
    Cancellation = 0,
    Reinstatement = 1,
}
