using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Identity;

namespace ClinicBlazor.Features.Notifications;

/// <summary>Who made a change to the schedule (cancelled, moved, booked), as a notice records it.</summary>
public sealed record ScheduleActor(CancellerKind Kind, string Name, string? UserId)
{
    public static ScheduleActor Of(Canceller canceller) => new(canceller.Kind, canceller.Name, canceller.UserId);

    public static ScheduleActor Of(Booker booker) => new(booker.Kind, booker.Name, booker.UserId);

    /// <summary>A signed-in member of staff (a move is always one).</summary>
    public static ScheduleActor Of(Actor actor) => new(StaffCanceller.KindOf(actor), actor.DisplayName, actor.UserId);

    /// <summary>Whether this is the practitioner whose appointment it is (a patient online never is).</summary>
    public bool Is(string practitionerUserId) => UserId is not null && UserId == practitionerUserId;
}
