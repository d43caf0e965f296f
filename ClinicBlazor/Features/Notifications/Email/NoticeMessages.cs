using System.Globalization;
using System.Net;
using System.Text;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Notifications.Email;
using ClinicBlazor.Features.Settings;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// The words of every notice email: who it is from, subject, plain text and HTML, times in the
/// clinic's zone and format.
/// </summary>
public static class NoticeMessages
{
    /// <summary>The Outbox's kind for the email confirming a patient's own online cancellation.</summary>
    public const string PatientCancellationKind = "Cancellation confirmation";

    /// <summary>"Tue 24 Nov 10:30" (or "10:30 am"), in the clinic's time zone and time format.</summary>
    public static string When(Clinic clinic, DateTime utc)
    {
        var local = clinic.ToLocal(utc);
        return $"{local.ToString("ddd d MMM", CultureInfo.InvariantCulture)} {clinic.TimeFormat.Time(local)}";
    }

    /// <summary>"Tuesday 24 November 2026 at 10:30" (or "10:30 am"), for patients.</summary>
    public static string LongWhen(Clinic clinic, DateTime local) =>
        $"{local.ToString("dddd d MMMM yyyy", CultureInfo.InvariantCulture)} at {clinic.TimeFormat.Time(local)}";

    /// <summary>The name every email comes from: the clinic's, or <paramref name="fallback"/> (FromName in the settings) when it has none.</summary>
    public static string FromName(string? clinicName, string fallback) =>
        string.IsNullOrWhiteSpace(clinicName) ? fallback : clinicName.Trim();

    /// <summary><see cref="FromName(string?, string)"/> with the clinic's name as it is now, read once per sending run.</summary>
    public static async Task<string> FromNameAsync(IDbContextFactory<ClinicDbContext> dbFactory, string fallback, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return FromName(await db.Set<Clinic>().Select(c => c.Name).FirstOrDefaultAsync(cancellationToken), fallback);
    }

    public static string CalendarLink(string baseUrl, Clinic clinic, DateTime startUtc) =>
        $"{baseUrl.TrimEnd('/')}/calendar?view=day&date={clinic.ToLocal(startUtc):yyyy-MM-dd}";

    public static EmailMessage Digest(string to, IReadOnlyList<CancellationNotice> notices, Clinic clinic, string baseUrl)
    {
        var ordered = notices.OrderBy(n => n.AppointmentStartUtc).ToList();
        var subject = ordered.Count == 1
            ? $"Cancelled: {ordered[0].PatientName}, {When(clinic, ordered[0].AppointmentStartUtc)}"
            : $"{ordered.Count} appointments cancelled";

        var text = new StringBuilder();
        var html = new StringBuilder();
        text.AppendLine(ordered.Count == 1 ? "This appointment was cancelled:" : $"These {ordered.Count} appointments were cancelled:").AppendLine();
        html.Append("<div style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1f2937\">")
            .Append("<p>").Append(ordered.Count == 1 ? "This appointment was cancelled:" : $"These {ordered.Count} appointments were cancelled:").Append("</p>");
        foreach (var notice in ordered)
        {
            var when = When(clinic, notice.AppointmentStartUtc);
            var link = CalendarLink(baseUrl, clinic, notice.AppointmentStartUtc);
            var reason = ReasonText(notice);
            text.AppendLine($"{notice.PatientName}, {when}")
                .AppendLine($"  {notice.AppointmentTypeName}")
                .AppendLine($"  Cancelled by {notice.CancelledBy}");
            if (reason is not null)
            {
                text.AppendLine($"  Reason: {reason}");
            }

            text.AppendLine($"  Calendar: {link}").AppendLine();

            html.Append("<div style=\"margin:0 0 16px 0;padding:8px 12px;border-left:3px solid #1e88e5\">")
                .Append("<strong>").Append(E(notice.PatientName)).Append("</strong>, ").Append(E(when)).Append("<br>")
                .Append(E(notice.AppointmentTypeName)).Append("<br>")
                .Append("Cancelled by ").Append(E(notice.CancelledBy)).Append("<br>");
            if (reason is not null)
            {
                html.Append("Reason: ").Append(E(reason)).Append("<br>");
            }

            html.Append("<a href=\"").Append(E(link)).Append("\">Open the calendar at that day</a></div>");
        }

        text.AppendLine($"— {clinic.Name}. You receive these because cancellation notifications are on in My Info.");
        html.Append("<p style=\"color:#6b7280;font-size:12px\">").Append(E(clinic.Name))
            .Append(". You receive these because cancellation notifications are on in My Info.</p></div>");
        return new EmailMessage(to, subject, text.ToString(), html.ToString());
    }

    public static EmailMessage Reinstated(string to, CancellationNotice notice, Clinic clinic, string baseUrl)
    {
        var when = When(clinic, notice.AppointmentStartUtc);
        var subject = $"Reinstated: {notice.PatientName}, {when} is back on";
        var link = CalendarLink(baseUrl, clinic, notice.AppointmentStartUtc);
        var text = $"{notice.PatientName}, {when} ({notice.AppointmentTypeName}) was cancelled, and has been reinstated: it is back on.\n\nCalendar: {link}\n\n— {clinic.Name}\n";
        var html = $"<div style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px\"><p><strong>{E(notice.PatientName)}</strong>, {E(when)} ({E(notice.AppointmentTypeName)}) was cancelled, and has been reinstated: it is back on.</p><p><a href=\"{E(link)}\">Open the calendar at that day</a></p><p style=\"color:#6b7280;font-size:12px\">{E(clinic.Name)}</p></div>";
        return new EmailMessage(to, subject, text, html);
    }

    public static EmailMessage Test(string to, string practitionerName, Clinic clinic)
    {
        var subject = string.IsNullOrWhiteSpace(clinic.Name) ? "Test notification" : $"Test notification from {clinic.Name.Trim()}";
        var text = $"Hello {practitionerName},\n\nThis is a test. Cancellation notices for your appointments at {clinic.Name} will arrive at this address.\n";
        var html = $"<div style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px\"><p>Hello {E(practitionerName)},</p><p>This is a test. Cancellation notices for your appointments at {E(clinic.Name)} will arrive at this address.</p></div>";
        return new EmailMessage(to, subject, text, html);
    }

    /// <summary>To the patient who cancelled online: what was cancelled, and how to reach the clinic.</summary>
    public static EmailMessage PatientCancellation(string to, string firstName, string typeName, string practitionerName, DateTime startUtc, Clinic clinic)
    {
        var local = clinic.ToLocal(startUtc);
        var when = LongWhen(clinic, local);
        var subject = $"Cancelled: {typeName} with {practitionerName}, {When(clinic, startUtc)}";
        var text = $"""
            Hi {firstName},

            Your appointment at {clinic.Name} is cancelled, as you asked:
            {typeName} with {practitionerName}
            {when}

            To book again, or if this was not you, call us on {clinic.Phone}.
            """;
        var html = $"""
            <p>Hi {E(firstName)},</p>
            <p>Your appointment at <strong>{E(clinic.Name)}</strong> is cancelled, as you asked:</p>
            <p><strong>{E(typeName)}</strong> with {E(practitionerName)}<br>{E(when)}</p>
            <p>To book again, or if this was not you, call us on {E(clinic.Phone)}.</p>
            """;
        return new EmailMessage(to, subject, text, html);
    }

    private static string? ReasonText(CancellationNotice notice) =>
        (notice.Reason, notice.Note) switch
        {
            (null, null) => null,
            ({ } reason, null) => reason,
            (null, { } note) => note,
            ({ } reason, { } note) => $"{reason} ({note})",
        };

    private static string E(string value) => WebUtility.HtmlEncode(value);
}
