namespace ClinicBlazor.Features.Appointments;

/// <summary>
/// A booking: staff name an existing patient; a booking made online leaves <paramref name="PatientId"/>
/// 0, as its booker finds or adds the patient from the details the patient typed.
/// </summary>
public sealed record BookAppointment(int PatientId, int PractitionerId, int AppointmentTypeId, DateTime StartUtc);

public sealed record MoveAppointment(int AppointmentId, int PractitionerId, DateTime StartUtc, Guid ExpectedVersion);

public sealed record CancelAppointment(int AppointmentId, CancellationReason? Reason = null, string? Note = null, Guid? ExpectedVersion = null);
