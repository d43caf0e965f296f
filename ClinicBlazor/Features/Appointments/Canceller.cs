using ClinicBlazor.Features.Identity;

namespace ClinicBlazor.Features.Appointments;

/// <summary>Who cancelled an appointment; the source follows from it.</summary>
public abstract record Canceller
{
    public abstract CancellationSource Source { get; }

    /// <summary>How the practitioner's notice names them ("Sam at reception", "the patient, online").</summary>
    public abstract string Description { get; }

    public abstract string? UserId { get; }
}

/// <summary>A signed-in member of staff, from the calendar or the Patients page.</summary>
public sealed record StaffCanceller(Actor Actor) : Canceller
{
    public override CancellationSource Source => CancellationSource.Staff;

    public override string? UserId => Actor.UserId;

    public override string Description => Actor switch
    {
        { IsReceptionist: true, IsPractitioner: false, IsAdmin: false } => $"{FirstName} at reception",
        _ => Actor.DisplayName,
    };

    private string FirstName => Actor.DisplayName.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? Actor.DisplayName;
}

/// <summary>The patient, through their booking's private link.</summary>
public sealed record PatientCanceller(int PatientId) : Canceller
{
    public override CancellationSource Source => CancellationSource.OnlineBooking;

    public override string Description => "the patient, online";

    public override string? UserId => null;
}
