using ClinicBlazor.Features.Appointments;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace ClinicBlazor.Features.Calendar;

/// <summary>The calendar page: a day or a week of every (or the chosen) practitioners, kept live by <see cref="CalendarNotifier"/>.</summary>
public sealed partial class CalendarPage
{
    private const string DayView = "day";
    private const string WeekView = "week";

    private CalendarSetup? setup;
    private CalendarPreferences preferences = new([], false, true);
    private bool preferencesRead;
    private List<DateOnly> days = [];
    private IReadOnlyList<CalendarPractitioner> visiblePractitioners = [];
    private IReadOnlyList<CalendarAppointment> appointments = [];
    private CalendarAvailability? availability;
    private DateOnly today;
    private IDisposable? subscription;
    private int loadGeneration;
    private ElementReference gridArea;
    private int? areaWidth;
    private string? fitNote;
    private bool revealToday = true;
    private DotNetObjectReference<CalendarPage>? self;
    private IJSObjectReference? widthObserver;

    [SupplyParameterFromQuery(Name = "view")] public string? View { get; set; }
    [SupplyParameterFromQuery(Name = "date")] public string? Date { get; set; }

    private bool IsWeek => !string.Equals(View, DayView, StringComparison.OrdinalIgnoreCase);

    private DateOnly AnchorDate => DateOnly.TryParseExact(Date, "yyyy-MM-dd", out var date) ? date : today;

    private string RangeTitle => CalendarDays.Title(days);

    protected override void OnInitialized()
    {
        subscription = Notifier.Subscribe(change => InvokeAsync(() => ApplyChangeAsync(change)));
    }

    protected override async Task OnParametersSetAsync()
    {
        setup ??= await Calendar.GetSetupAsync();
        if (!preferencesRead)
        {
            preferences = await Preferences.GetAsync(setup);
            preferencesRead = true;
        }

        today = DateOnly.FromDateTime(setup.ToLocal(Clock.GetUtcNow().UtcDateTime));
        days = VisibleDays();
        ApplyPractitionerFilter();
        await LoadAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            self = DotNetObjectReference.Create(this);
            widthObserver = await Browser.ObserveWidthAsync(gridArea, self);
            await Browser.EnableSlotKeysAsync(gridArea);
        }

        if (revealToday && setup is not null)
        {
            revealToday = false;
            await Browser.RevealTodayAsync(gridArea);
        }
    }

    /// <summary>The calendar area's width in pixels, from the browser: how many lanes of at least 90 px fit.</summary>
    [JSInvokable]
    public Task WidthChanged(int width)
    {
        areaWidth = width;
        ApplyPractitionerFilter();
        StateHasChanged();
        return Task.CompletedTask;
    }

    /// <summary>
    /// The Day view keeps every practitioner; the week view shows the chosen ones, as many as fit with
    /// lanes of at least 90 px at the current width, and says so when not all of them do.
    /// </summary>
    private void ApplyPractitionerFilter()
    {
        if (setup is null || days.Count == 0)
        {
            return;
        }

        if (!IsWeek)
        {
            visiblePractitioners = setup.Practitioners;
            fitNote = null;
            return;
        }

        var chosen = setup.Practitioners.Where(p => preferences.WeekPractitionerIds.Contains(p.Id)).ToList();
        var lanes = areaWidth is { } width ? Math.Max(1, (width - CalendarGrid.TimeColumnPixels - 2) / CalendarGrid.MinimumLanePixels) : int.MaxValue;
        var fit = Math.Max(1, lanes / days.Count);
        fitNote = chosen.Count > fit
            ? $"{fit} of the {chosen.Count} chosen practitioners fit in a week at this width (showing {string.Join(", ", chosen.Take(fit).Select(p => p.DisplayName))}). The Day view shows everyone."
            : null;
        var shown = chosen.Take(fit).ToList();
        if (visiblePractitioners.Select(p => p.Id).SequenceEqual(shown.Select(p => p.Id)))
        {
            return;
        }

        visiblePractitioners = shown;
    }

    private async Task LoadAsync()
    {
        var generation = ++loadGeneration;
        var (fromUtc, toUtc) = UtcRange(days[0], days[^1]);
        var loaded = await Calendar.GetAppointmentsAsync(fromUtc, toUtc);
        // Working hours for every practitioner, not only the visible ones: filtering needs no reload.
        var working = await Calendar.GetAvailabilityAsync(setup!, days[0], days[^1]);
        if (generation == loadGeneration)
        {
            appointments = loaded;
            availability = working;
        }
    }

    private List<DateOnly> VisibleDays() => CalendarDays.Shown(AnchorDate, IsWeek, today, preferences.ShowWeekend);

    private (DateTime FromUtc, DateTime ToUtc) UtcRange(DateOnly first, DateOnly last) =>
        (setup!.ToUtc(first.ToDateTime(TimeOnly.MinValue)), setup.ToUtc(last.AddDays(1).ToDateTime(TimeOnly.MinValue)));

    /// <summary>A change from any open screen: reload only the days it touched, if they are on show.</summary>
    private async Task ApplyChangeAsync(CalendarChange change)
    {
        if (setup is null || days.Count == 0)
        {
            return;
        }

        var touched = new List<DateOnly> { DateOnly.FromDateTime(setup.ToLocal(change.StartUtc)) };
        if (change.PreviousStartUtc is { } previous)
        {
            touched.Add(DateOnly.FromDateTime(setup.ToLocal(previous)));
        }

        touched = touched.Where(days.Contains).ToList();
        if (touched.Count == 0)
        {
            return;
        }

        var first = touched.Min();
        var last = touched.Max();
        var generation = loadGeneration;
        var (fromUtc, toUtc) = UtcRange(first, last);
        var fresh = await Calendar.GetAppointmentsAsync(fromUtc, toUtc);
        if (generation != loadGeneration)
        {
            return;
        }

        appointments = appointments.Where(a => a.StartUtc < fromUtc || a.StartUtc >= toUtc).Concat(fresh).ToList();
        StateHasChanged();
    }

    private string PractitionerFilterText(IReadOnlyList<string> selected) => selected.Count switch
    {
        1 => selected[0],
        var count when setup is not null && count == setup.Practitioners.Count => "All practitioners",
        var count => $"{count} of {setup?.Practitioners.Count} practitioners",
    };

    private async Task PractitionersChangedAsync(IReadOnlyCollection<int>? selected)
    {
        var chosen = (selected ?? []).ToList();
        if (chosen.Count == 0)
        {
            // A week of nobody is no view: keep the last practitioner chosen.
            StateHasChanged();
            return;
        }

        preferences = preferences with { WeekPractitionerIds = chosen };
        ApplyPractitionerFilter();
        await Preferences.SaveAsync(preferences);
    }

    private async Task WeekendChangedAsync(bool showWeekend)
    {
        preferences = preferences with { ShowWeekend = showWeekend };
        days = VisibleDays();
        ApplyPractitionerFilter();
        await LoadAsync();
        await Preferences.SaveAsync(preferences);
    }

    private async Task ShowCancelledChangedAsync(bool showCancelled)
    {
        preferences = preferences with { ShowCancelled = showCancelled };
        await Preferences.SaveAsync(preferences);
    }

    private Task GoAsync(int direction) => NavigateAsync(View, CalendarDays.Step(AnchorDate, direction, IsWeek, today, preferences.ShowWeekend));

    private Task GoToTodayAsync()
    {
        revealToday = true;
        return NavigateAsync(View, today);
    }

    private Task DatePickedAsync(DateTime? picked) => picked is { } date ? NavigateAsync(View, DateOnly.FromDateTime(date)) : Task.CompletedTask;

    private Task SetViewAsync(string view) => NavigateAsync(view, view == WeekView || days.Count == 0 || !days.Contains(today) ? AnchorDate : today);

    private Task NavigateAsync(string? view, DateOnly date)
    {
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["view"] = view ?? WeekView,
            ["date"] = date.ToString("yyyy-MM-dd"),
        }));
        return Task.CompletedTask;
    }

    private Task NewAppointmentAsync() =>
        BookAsync(NewAppointmentSlot.Suggest(setup, days, today, visiblePractitioners, appointments, Clock.GetUtcNow().UtcDateTime));

    private async Task BookAsync(CalendarSlot? slot)
    {
        var parameters = new DialogParameters<BookAppointmentDialog>
        {
            { d => d.PractitionerId, slot?.PractitionerId },
            { d => d.LocalStart, slot?.LocalStart },
        };
        var dialog = await Dialogs.ShowAsync<BookAppointmentDialog>("New appointment", parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseOnEscapeKey = true });
        var result = await dialog.Result;
        if (result is { Canceled: false, Data: int bookedId })
        {
            await Browser.FocusWhenPresentAsync($"[data-appointment-id='{bookedId}']");
        }
    }

    private async Task OpenAsync(CalendarAppointment appointment)
    {
        var parameters = new DialogParameters<AppointmentDialog> { { d => d.AppointmentId, appointment.Id } };
        var dialog = await Dialogs.ShowAsync<AppointmentDialog>(appointment.PatientName, parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseOnEscapeKey = true });
        var result = await dialog.Result;
        // After a cancel the snackbar's Undo has the focus already; otherwise back to the appointment.
        if (result is not { Data: AppointmentDialog.Outcome.Cancelled })
        {
            await Browser.FocusWhenPresentAsync($"[data-appointment-id='{appointment.Id}']");
        }
    }

    public async ValueTask DisposeAsync()
    {
        subscription?.Dispose();
        if (widthObserver is not null)
        {
            try
            {
                await widthObserver.InvokeVoidAsync("dispose");
                await widthObserver.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
            }
        }

        self?.Dispose();
    }
}
