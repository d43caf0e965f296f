using System.Globalization;
using System.Net;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Notifications.Email;
using ClinicBlazor.Features.Settings;

namespace ClinicBlazor.Features.OnlineBookings;

/// <summary>The patient's confirmation: what, with whom, when, and the private link to manage it.</summary>
public static class BookingConfirmationEmail
{
    public const string Kind = "Booking confirmation";

    public static EmailMessage Create(Clinic clinic, BookingConfirmation booking, string firstName, string manageUrl)
    {
        var (clinicName, clinicPhone) = (clinic.Name, clinic.Phone);
        var when = NoticeMessages.LongWhen(clinic, booking.LocalStart);
        var subject = $"Booked: {booking.TypeName} with {booking.PractitionerName}, {booking.LocalStart.ToString("ddd d MMM", CultureInfo.InvariantCulture)} {clinic.TimeFormat.Time(booking.LocalStart)}";
        var text = $"""
            Hi {firstName},

            You're booked at {clinicName}:
            {booking.TypeName} with {booking.PractitionerName}
            {when}

            To cancel, use your private link (keep it to yourself):
            {manageUrl}

            Questions? Call us on {clinicPhone}.
            """;
        var html = $"""
            <p>Hi {Encode(firstName)},</p>
            <p>You're booked at <strong>{Encode(clinicName)}</strong>:</p>
            <p><strong>{Encode(booking.TypeName)}</strong> with {Encode(booking.PractitionerName)}<br>{Encode(when)}</p>
            <p>To cancel, use your private link (keep it to yourself):<br><a href="{Encode(manageUrl)}">{Encode(manageUrl)}</a></p>
            <p>Questions? Call us on {Encode(clinicPhone)}.</p>
            """;
        return new EmailMessage(booking.Email, subject, text, html);
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
