using ClinicBlazor.Components;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Calendar;
using ClinicBlazor.Features.DemoClinic;
using ClinicBlazor.Features.Health;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.MyInfo;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Notifications.Sms;
using ClinicBlazor.Features.OnlineBookings;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Features.Staff;

var builder = WebApplication.CreateBuilder(args);

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

await app.PrepareClinicAsync();

app.UseOnlineBookings();
app.UseClinicShell();
app.MapClinicHealth();
app.MapClinicIdentity();
app.MapSmsWebhooks();
app.MapSmsCredits();
app.MapClinicPages();

app.Run();

/// <summary>The app's entry point, visible to the integration tests' host.</summary>
public partial class Program;
