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

    /// <summary>
    /// A practitioner's due notices as one email. Cancellations alone read as they always have
    /// ("Cancelled: Jane Smith, Tue 24 Nov 10:30", "3 appointments cancelled"); moves and new bookings
    /// the same way in their own words, and a mix as "4 changes to your appointments".
    /// </summary>
    public static EmailMessage Digest(string to, IReadOnlyList<CancellationNotice> notices, Clinic clinic, string baseUrl)
    {
        var ordered = notices.OrderBy(n => n.AppointmentStartUtc).ToList();
        var kinds = ordered.Select(n => n.Kind).Distinct().ToList();
        var kind = kinds.Count == 1 ? kinds[0] : (NoticeKind?)null;
        var subject = ordered.Count == 1 ? Headline(clinic, ordered[0]) : kind switch
        {
            NoticeKind.Cancellation => $"{ordered.Count} appointments cancelled",
            NoticeKind.Move => $"{ordered.Count} appointments moved",
            NoticeKind.NewBooking => $"{ordered.Count} new bookings",
            _ => $"{ordered.Count} changes to your appointments",
        };
        var intro = (ordered.Count, kind) switch
        {
            (1, NoticeKind.Cancellation) => "This appointment was cancelled:",
            (1, NoticeKind.Move) => "This appointment was moved:",
            (1, _) => "This appointment was booked with you:",
            (_, NoticeKind.Cancellation) => $"These {ordered.Count} appointments were cancelled:",
            (_, NoticeKind.Move) => $"These {ordered.Count} appointments were moved:",
            (_, NoticeKind.NewBooking) => $"These {ordered.Count} appointments were booked with you:",
            _ => $"These {ordered.Count} changes were made to your appointments:",
        };
        var footer = kind == NoticeKind.Cancellation
            ? "You receive these because cancellation notifications are on in My Info."
            : "You receive these because you chose them under Cancellation notifications in My Info.";

        var text = new StringBuilder();
        var html = new StringBuilder();
        text.AppendLine(intro).AppendLine();
        html.Append("<div style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1f2937\">")
            .Append("<p>").Append(E(intro)).Append("</p>");
        foreach (var notice in ordered)
        {
            var when = notice.Kind == NoticeKind.Move && notice.PreviousStartUtc is { } before
                ? $"{When(clinic, before)} → {When(clinic, notice.AppointmentStartUtc)}"
                : When(clinic, notice.AppointmentStartUtc);
            var link = CalendarLink(baseUrl, clinic, notice.AppointmentStartUtc);
            var lines = new List<string> { notice.AppointmentTypeName, $"{Verb(notice.Kind)} by {notice.CancelledBy}" };
            if (notice.OtherPractitionerName is { } other)
            {
                lines.Add(notice.Kind == NoticeKind.Move ? $"Now with {other}" : $"Moved to you from {other}");
            }

            if (ReasonText(notice) is { } reason)
            {
                lines.Add($"Reason: {reason}");
            }

            text.AppendLine($"{notice.PatientName}, {when}");
            foreach (var line in lines)
            {
                text.AppendLine($"  {line}");
            }

            text.AppendLine($"  Calendar: {link}").AppendLine();

            html.Append("<div style=\"margin:0 0 16px 0;padding:8px 12px;border-left:3px solid #1e88e5\">")
                .Append("<strong>").Append(E(notice.PatientName)).Append("</strong>, ").Append(E(when)).Append("<br>");
            foreach (var line in lines)
            {
                html.Append(E(line)).Append("<br>");
            }

            html.Append("<a href=\"").Append(E(link)).Append("\">Open the calendar at that day</a></div>");
        }

        text.AppendLine($"— {clinic.Name}. {footer}");
        html.Append("<p style=\"color:#6b7280;font-size:12px\">").Append(E(clinic.Name))
            .Append(". ").Append(E(footer)).Append("</p></div>");
        return new EmailMessage(to, subject, text.ToString(), html.ToString());
    }

    /// <summary>
    /// One notice in a line, as a subject and in the Outbox: "Cancelled: Jane Smith, Tue 24 Nov 10:30",
    /// "Moved: Mia Harris, Mon 30 Nov 09:30 → Tue 1 Dec 10:00", "Moved to Tom Nguyen: …", "New booking: Mia Harris, Tue 1 Dec 10:00".
    /// </summary>
    public static string Headline(Clinic clinic, CancellationNotice notice) => notice.Kind switch
    {
        NoticeKind.Move => $"{(notice.OtherPractitionerName is { } other ? $"Moved to {other}" : "Moved")}: {notice.PatientName}, "
                           + $"{(notice.PreviousStartUtc is { } before ? $"{When(clinic, before)} → " : "")}{When(clinic, notice.AppointmentStartUtc)}",
        NoticeKind.NewBooking => $"New booking: {notice.PatientName}, {When(clinic, notice.AppointmentStartUtc)}",
        _ => $"Cancelled: {notice.PatientName}, {When(clinic, notice.AppointmentStartUtc)}",
    };

    /// <summary>"Cancelled", "Moved", "Booked": the start of "… by Sam at reception".</summary>
    public static string Verb(NoticeKind kind) => kind switch
    {
        NoticeKind.Move => "Moved",
        NoticeKind.NewBooking => "Booked",
        _ => "Cancelled",
    };

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

    /// <summary>To the patient whose appointment the clinic cancelled: what, how to book again, how to reach the clinic. Never the reason's note.</summary>
    public static EmailMessage PatientCancelledByClinic(string to, string firstName, string typeName, string practitionerName, DateTime startUtc, Clinic clinic, string? rebookingLink)
    {
        var when = LongWhen(clinic, clinic.ToLocal(startUtc));
        var subject = $"Cancelled: {typeName} with {practitionerName}, {When(clinic, startUtc)}";
        var text = $"""
            Hi {firstName},

            {clinic.Name} has had to cancel your appointment:
            {typeName} with {practitionerName}
            {when}

            {RebookText(rebookingLink)}Questions? Call us on {clinic.Phone}.
            """;
        var html = $"""
            <p>Hi {E(firstName)},</p>
            <p><strong>{E(clinic.Name)}</strong> has had to cancel your appointment:</p>
            <p><strong>{E(typeName)}</strong> with {E(practitionerName)}<br>{E(when)}</p>
            {RebookHtml(rebookingLink)}<p>Questions? Call us on {E(clinic.Phone)}.</p>
            """;
        return new EmailMessage(to, subject, text, html);
    }

    /// <summary>To the patient whose appointment the clinic moved: the old and new time (and practitioner, when that changed).</summary>
    public static EmailMessage PatientMoved(string to, string firstName, string typeName, string practitionerName, string? previousPractitionerName, DateTime previousStartUtc, DateTime startUtc, Clinic clinic, string? rebookingLink)
    {
        var was = LongWhen(clinic, clinic.ToLocal(previousStartUtc));
        var now = LongWhen(clinic, clinic.ToLocal(startUtc));
        var with = previousPractitionerName is null ? practitionerName : $"{practitionerName} (instead of {previousPractitionerName})";
        var subject = $"Moved: {typeName} with {practitionerName}, now {When(clinic, startUtc)}";
        var text = $"""
            Hi {firstName},

            {clinic.Name} has moved your appointment:
            {typeName} with {with}
            Now: {now}
            Was: {was}

            {RebookText(rebookingLink)}Questions? Call us on {clinic.Phone}.
            """;
        var html = $"""
            <p>Hi {E(firstName)},</p>
            <p><strong>{E(clinic.Name)}</strong> has moved your appointment:</p>
            <p><strong>{E(typeName)}</strong> with {E(with)}<br>Now: <strong>{E(now)}</strong><br>Was: {E(was)}</p>
            {RebookHtml(rebookingLink)}<p>Questions? Call us on {E(clinic.Phone)}.</p>
            """;
        return new EmailMessage(to, subject, text, html);
    }

    private static string RebookText(string? link) => link is null ? "" : $"To choose another time online: {link}\n";

    private static string RebookHtml(string? link) =>
        link is null ? "" : $"<p>To choose another time online: <a href=\"{E(link)}\">{E(link)}</a></p>";

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
