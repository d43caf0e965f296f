using Bunit;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Calendar;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace ClinicBlazor.Tests.Features.Calendar;

/// <summary>
/// Booking or moving someone outside their working hours is allowed with a warning; the calendar reads
/// hours and time off in one batch. Demo clinic in Sydney: Priya Patel works weekdays 08:30–17:30.
/// </summary>
public sealed class WorkingHoursWarningTests(FakeClockClinicAppFactory app) : IClassFixture<FakeClockClinicAppFactory>, IAsyncLifetime
{
    private static readonly DateOnly Monday = new(2027, 3, 1);
    private static int nextWeek;
    private readonly BunitContext context = new();
    private IRenderedComponent<MudDialogProvider>? provider;

    [Fact]
    public async Task Calendar_availability_reads_working_hours_in_local_minutes_and_flags_time_off()
    {
        var priya = await PriyaAsync();
        var monday = NextMonday();
        await using (var admin = await app.ScopeForAsync(DemoSignIns.Admin.Email))
        {
            var settings = admin.ServiceProvider.GetRequiredService<AvailabilitySettingsService>();
            Assert.True((await settings.AddTimeOffAsync(priya.Id, new TimeOffDraft(monday.AddDays(1), monday.AddDays(1), "Course"))).Succeeded);
        }

        await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var calendar = scope.ServiceProvider.GetRequiredService<CalendarService>();
        var setup = await calendar.GetSetupAsync();

        var availability = await calendar.GetAvailabilityAsync(setup, monday, monday.AddDays(6));

        Assert.Equal([new MinuteRange(8 * 60 + 30, 17 * 60 + 30)], availability.For(priya.Id, monday)!.Windows);
        Assert.False(availability.For(priya.Id, monday)!.IsTimeOff);
        Assert.True(availability.For(priya.Id, monday.AddDays(1))!.IsTimeOff);
        Assert.Empty(availability.For(priya.Id, monday.AddDays(1))!.Windows);
        Assert.Empty(availability.For(priya.Id, monday.AddDays(5))!.Windows);
        Assert.False(availability.For(priya.Id, monday.AddDays(5))!.IsTimeOff);
        Assert.All(setup.Practitioners, p => Assert.NotNull(availability.For(p.Id, monday)));
    }

    [Fact]
    public async Task The_warning_names_the_practitioner_outside_their_hours_and_is_silent_inside_them()
    {
        var priya = await PriyaAsync();
        var monday = NextMonday();
        await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var calendar = scope.ServiceProvider.GetRequiredService<CalendarService>();
        var setup = await calendar.GetSetupAsync();
        var practitioner = setup.Practitioners.Single(p => p.Id == priya.Id);
        DateTime Utc(int hour, int minute) => setup.ToUtc(monday.ToDateTime(new TimeOnly(hour, minute)));

        Assert.Equal("Outside Priya Patel's working hours", await calendar.WorkingHoursWarningAsync(practitioner, Utc(7, 30), Utc(8, 15)));
        Assert.Equal("Outside Priya Patel's working hours", await calendar.WorkingHoursWarningAsync(practitioner, Utc(17, 0), Utc(17, 45)));
        Assert.Null(await calendar.WorkingHoursWarningAsync(practitioner, Utc(8, 30), Utc(9, 15)));
        Assert.Null(await calendar.WorkingHoursWarningAsync(practitioner, Utc(16, 45), Utc(17, 30)));
    }

    [Fact]
    public async Task Booking_dialog_warns_before_saving_outside_working_hours()
    {
        var priya = await PriyaAsync();
        var monday = NextMonday();
        await using var scope = await UseServicesOfAsync(DemoSignIns.Receptionist.Email);

        var early = await ShowAsync<BookAppointmentDialog>(new DialogParameters<BookAppointmentDialog>
        {
            { d => d.PractitionerId, priya.Id },
            { d => d.LocalStart, monday.ToDateTime(new TimeOnly(7, 0)) },
        });
        early.WaitForAssertion(() => Assert.Equal("Outside Priya Patel's working hours", early.Find("[data-testid='working-hours-warning']").TextContent.Trim()));
        Assert.Equal(0, await AppointmentsOnAsync(priya.Id, monday));
        await early.InvokeAsync(() => early.FindAll("button").Single(b => b.TextContent.Trim() == "Close").Click());

        var inHours = await ShowAsync<BookAppointmentDialog>(new DialogParameters<BookAppointmentDialog>
        {
            { d => d.PractitionerId, priya.Id },
            { d => d.LocalStart, monday.ToDateTime(new TimeOnly(10, 0)) },
        });
        inHours.WaitForAssertion(() => Assert.NotEmpty(inHours.FindAll("[data-testid='book-start']")));
        Assert.Empty(inHours.FindAll("[data-testid='working-hours-warning']"));
    }

    [Fact]
    public async Task Appointment_dialog_says_booked_online_and_warns_when_the_appointment_is_outside_working_hours()
    {
        var priya = await PriyaAsync();
        var monday = NextMonday();
        int appointmentId;
        await using (var receptionist = await app.ScopeForAsync(DemoSignIns.Receptionist.Email))
        {
            var setup = await receptionist.ServiceProvider.GetRequiredService<CalendarService>().GetSetupAsync();
            var patientId = (await receptionist.ServiceProvider.GetRequiredService<PatientService>().SearchAsync("a", 1))[0].Id;
            var type = setup.AppointmentTypes[0];
            var booked = await receptionist.ServiceProvider.GetRequiredService<AppointmentService>()
                .BookAsync(new BookAppointment(patientId, priya.Id, type.Id, setup.ToUtc(monday.ToDateTime(new TimeOnly(18, 0)))));
            Assert.True(booked.Succeeded, booked.Error);
            appointmentId = booked.Value!.Id;
        }

        await using (var db = await app.CreateDbContextAsync())
        {
            await db.Set<Appointment>().Where(a => a.Id == appointmentId).ExecuteUpdateAsync(a => a.SetProperty(x => x.BookedOnline, true));
        }

        await using var scope = await UseServicesOfAsync(DemoSignIns.Receptionist.Email);
        var dialog = await ShowAsync<AppointmentDialog>(new DialogParameters<AppointmentDialog> { { d => d.AppointmentId, appointmentId } });

        dialog.WaitForAssertion(() => Assert.Contains("Booked online", dialog.Find("[data-testid='appointment-booked-online']").TextContent, StringComparison.Ordinal));
        Assert.Equal("Outside Priya Patel's working hours", dialog.Find("[data-testid='working-hours-warning']").TextContent.Trim());
    }

    /// <summary>A Monday of its own per test, well after the demo's appointments.</summary>
    private static DateOnly NextMonday() => Monday.AddDays(7 * Interlocked.Increment(ref nextWeek));

    private async Task<CalendarPractitioner> PriyaAsync()
    {
        _ = app.ServerAddress;
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<Practitioner>().Where(p => p.User!.Email == DemoSignIns.Practitioner.Email)
            .Select(p => new CalendarPractitioner(p.Id, p.DisplayName, p.Title)).SingleAsync();
    }

    private async Task<int> AppointmentsOnAsync(int practitionerId, DateOnly day)
    {
        await using var db = await app.CreateDbContextAsync();
        var clinic = await db.Set<Clinic>().SingleAsync();
        var from = clinic.ToUtc(day.ToDateTime(TimeOnly.MinValue));
        var to = clinic.ToUtc(day.AddDays(1).ToDateTime(TimeOnly.MinValue));
        return await db.Set<Appointment>().CountAsync(a => a.PractitionerId == practitionerId && a.StartUtc >= from && a.StartUtc < to);
    }

    /// <summary>The dialogs get the app's own services, acting as the given staff member.</summary>
    private async Task<AsyncServiceScope> UseServicesOfAsync(string email)
    {
        var scope = await app.ScopeForAsync(email);
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<CalendarService>());
        context.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<PatientService>());
        context.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<AppointmentService>());
        context.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<CancellationPreview>());
        context.Services.AddScoped<AppointmentActions>();
        context.Services.AddScoped<ClinicBlazor.Components.Layout.BrowserHelpers>();
        return scope;
    }

    private async Task<IRenderedComponent<MudDialogProvider>> ShowAsync<TDialog>(DialogParameters<TDialog> parameters)
        where TDialog : Microsoft.AspNetCore.Components.IComponent
    {
        if (provider is null)
        {
            context.Render<MudPopoverProvider>();
            provider = context.Render<MudDialogProvider>();
        }

        var dialogs = context.Services.GetRequiredService<IDialogService>();
        await provider.InvokeAsync(() => dialogs.ShowAsync<TDialog>("Appointment", parameters));
        return provider;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await context.DisposeAsync();
}
