using System.ComponentModel.DataAnnotations;

namespace ClinicBlazor.Features.OnlineBookings;

/// <summary>The patient's details from the booking form.</summary>
public class PatientDetailsInput
{
    [Required(ErrorMessage = "Enter your first name.")]
    [StringLength(100, ErrorMessage = "Keep your first name under 100 characters.")]
    public string FirstName { get; set; } = "";

    [Required(ErrorMessage = "Enter your last name.")]
    [StringLength(100, ErrorMessage = "Keep your last name under 100 characters.")]
    public string LastName { get; set; } = "";

    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(256)]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Enter your mobile number.")]
    public string Mobile { get; set; } = "";
}
