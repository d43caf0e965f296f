using ClinicBlazor.Components;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Calendar;
using ClinicBlazor.Features.DemoClinic;
using ClinicBlazor.Features.Health;
using ClinicBlazor.Features.Hosting;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.MyInfo;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Notifications.Sms;
using ClinicBlazor.Features.OnlineBookings;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Features.Staff;

WebApplicationBuilder? builder = null;
try
{
    builder = WebApplication.CreateBuilder(args);

    builder.AddClinicHosting();
    builder.AddClinicShell();
    builder.AddClinicData();
    builder.AddClinicIdentity();
    builder.AddClinicSettings();
    builder.AddStaff();
    builder.AddAppointments();
    builder.AddCalendar();
    builder.AddPatients();
    builder.AddMyInfo();
    builder.AddNotifications();
    builder.AddSms();
    builder.AddSmsCredits();
    builder.AddOnlineBookings();
    builder.AddClinicStartup();
    builder.AddClinicHealth();

    var app = builder.Build();

    // Every setting is checked before the database is migrated or seeded.
    await app.PrepareClinicAsync();

    app.UseClinicHosting();
    app.UseOnlineBookings();
    app.UseClinicShell();
    app.MapClinicHealth();
    app.MapClinicIdentity();
    app.MapSmsWebhooks();
    app.MapSmsCredits();
    app.MapClinicPages();

    await app.RunAsync();
    return 0;
}
catch (Exception exception) when (StartupFailure.ShouldExplain(exception, builder?.Environment.EnvironmentName))
{
    // Outside Development a wrong setting or an unusable database is a sentence and exit code 1.
    return StartupFailure.Report(exception);
}

/// <summary>The app's entry point, visible to the integration tests' host.</summary>
public partial class Program;
