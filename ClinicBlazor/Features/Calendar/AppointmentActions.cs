using ClinicBlazor.Components.Layout;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using MudBlazor;

namespace ClinicBlazor.Features.Calendar;

/// <summary>The reason and note chosen in the cancel dialog.</summary>
public sealed record CancellationChoice(CancellationReason? Reason, string? Note);

/// <summary>
/// The staff side of cancelling, shared by the calendar and the Patients page: ask (reason, note,
/// confirm), cancel through <see cref="AppointmentService"/>, then offer Undo in a snackbar.
/// </summary>
public sealed class AppointmentActions(IDialogService dialogs, ISnackbar snackbar, AppointmentService appointments, CancellationPreview preview, BrowserHelpers browser)
{
    public const string CancelledMessage = "Appointment cancelled";

    /// <summary>True when the appointment was cancelled.</summary>
    public async Task<bool> CancelAsync(int appointmentId, string summary, Guid expectedVersion)
    {
        // Said before confirming, from the decision the cancellation itself will take.
        var outlook = await preview.DescribeCancellingAsync(appointmentId);
        var parameters = new DialogParameters<CancelAppointmentDialog> { { d => d.Summary, summary }, { d => d.NoticeOutlook, outlook } };
        var dialog = await dialogs.ShowAsync<CancelAppointmentDialog>("Cancel appointment", parameters,
            new DialogOptions { MaxWidth = MaxWidth.ExtraSmall, FullWidth = true, CloseOnEscapeKey = true });
        var result = await dialog.Result;
        if (result is null || result.Canceled || result.Data is not CancellationChoice choice)
        {
            return false;
        }

        var cancelled = await appointments.CancelAsync(new CancelAppointment(appointmentId, choice.Reason, choice.Note, expectedVersion));
        if (!cancelled.Succeeded)
        {
            snackbar.Add(cancelled.Error!, Severity.Error);
            return false;
        }

        snackbar.Add(outlook is null ? CancelledMessage : $"{CancelledMessage}. {outlook}", Severity.Normal, options =>
        {
            options.Action = "Undo";
            options.ActionColor = Color.Primary;
            options.VisibleStateDuration = 15_000;
            options.OnClick = _ => ReinstateAsync(appointmentId);
        });
        // Undo is the next thing someone may want: the keyboard's focus goes there, not to the page's body.
        await browser.FocusUndoAsync();
        return true;
    }

    /// <summary>Undo or Reinstate: books the appointment again if its slot is still free.</summary>
    public async Task<bool> ReinstateAsync(int appointmentId)
    {
        var reinstated = await appointments.ReinstateAsync(appointmentId);
        if (!reinstated.Succeeded)
        {
            snackbar.Add(reinstated.Error!, Severity.Error);
            return false;
        }

        snackbar.Add("Appointment reinstated", Severity.Success);
        return true;
    }

    /// <summary>How an appointment is named in dialogs: "Jane Smith · Tue 24 Nov 10:30 with Priya Patel".</summary>
    public static string Summary(string patientName, DateTime localStart, string practitionerName, Settings.TimeFormat timeFormat = Settings.TimeFormat.TwentyFourHour) =>
        $"{patientName} · {localStart:ddd d MMM} {Settings.ClinicTimeFormat.Time(timeFormat, localStart)} with {practitionerName}";
}
