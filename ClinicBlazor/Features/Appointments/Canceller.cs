using ClinicBlazor.Features.Identity;

namespace ClinicBlazor.Features.Appointments;

/// <summary>Who cancelled (or moved, or booked), as a notice stores it; the words in pages, emails and SMS are made from it.</summary>
public enum CancellerKind
{
    /// <summary>A member of staff (a practitioner other than the appointment's, an admin).</summary>
    Staff = 0,

    /// <summary>A receptionist: "Sam at reception".</summary>
    Reception = 1,

    /// <summary>The practitioner whose appointment it was.</summary>
    Self = 2,

    /// <summary>The patient, through their booking's private link.</summary>
    PatientOnline = 3,
}

/// <summary>Who cancelled an appointment; the source follows from it.</summary>
public abstract record Canceller
{
    public abstract CancellationSource Source { get; }

    public abstract CancellerKind Kind { get; }

    /// <summary>The person's name as it is now (a member of staff's display name); empty for a patient online.</summary>
    public abstract string Name { get; }

    /// <summary>How the practitioner's notice names them ("Sam at reception", "the patient, online").</summary>
    public string Description => Describe(Kind, Name);

    public abstract string? UserId { get; }

    /// <summary>"Sam at reception", "the patient, online", or the name itself.</summary>
    public static string Describe(CancellerKind kind, string name) => kind switch
    {
        CancellerKind.Reception => $"{FirstWord(name)} at reception",
        CancellerKind.PatientOnline => "the patient, online",
        _ => name,
    };

    private static string FirstWord(string name) => name.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? name;
}

/// <summary>A signed-in member of staff, from the calendar or the Patients page.</summary>
public sealed record StaffCanceller(Actor Actor) : Canceller
{
    public override CancellationSource Source => CancellationSource.Staff;

    public override string? UserId => Actor.UserId;

    public override CancellerKind Kind => KindOf(Actor);

    /// <summary>Reception for a receptionist and nothing more; otherwise staff (Self is decided against the appointment's practitioner).</summary>
    public static CancellerKind KindOf(Actor actor) =>
        actor is { IsReceptionist: true, IsPractitioner: false, IsAdmin: false } ? CancellerKind.Reception : CancellerKind.Staff;

    public override string Name => Actor.DisplayName;
}

/// <summary>The patient, through their booking's private link.</summary>
public sealed record PatientCanceller(int PatientId) : Canceller
{
    public override CancellationSource Source => CancellationSource.OnlineBooking;

    public override CancellerKind Kind => CancellerKind.PatientOnline;

    public override string Name => "";

    public override string? UserId => null;
}
