namespace ClinicBlazor.Features.Settings;

/// <summary>Times as the clinic writes them (Settings › Clinic): "14:30" or "2:30 pm", on every page alike.</summary>
public static class ClinicTimeFormat
{
    private static readonly System.Globalization.CultureInfo English = System.Globalization.CultureInfo.GetCultureInfo("en-AU");

    public static string Time(this TimeFormat format, TimeOnly time) => format == TimeFormat.TwelveHour
        ? time.ToString("h:mm tt", English).ToLowerInvariant()
        : time.ToString("HH:mm", English);

    public static string Time(this TimeFormat format, DateTime local) => format.Time(TimeOnly.FromDateTime(local));

    /// <summary>How Settings names the choice, with an example.</summary>
    public static string Describe(TimeFormat format) => format == TimeFormat.TwelveHour ? "12-hour (2:30 pm)" : "24-hour (14:30)";
}
