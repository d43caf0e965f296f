using System.Text.RegularExpressions;

namespace ClinicBlazor.Features.Common;

/// <summary>
/// Logs name people by id, never by email address or phone number: text from outside (a mail
/// server's or Twilio's error) often quotes the address, so it passes through here first.
/// </summary>
public static partial class LogRedaction
{
    public static string Redact(string? text) =>
        string.IsNullOrEmpty(text) ? "" : PhonePattern().Replace(EmailPattern().Replace(text, "[email]"), "[phone]");

    [GeneratedRegex(@"[^\s<>""'(),;:]+@[^\s<>""'(),;:]+\.[A-Za-z0-9-]+")]
    private static partial Regex EmailPattern();

    // An international number (+ and 7 or more digits), or 9 or more digits in a row, spaces and
    // brackets allowed between them (dates and times, with their dashes and colons, stay).
    [GeneratedRegex(@"\+\d(?:[ ()]*\d){6,}|(?<!\d)\d(?:[ ()]*\d){8,}")]
    private static partial Regex PhonePattern();
}
