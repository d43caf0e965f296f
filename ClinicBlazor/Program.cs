using ClinicBlazor.Components;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.DemoClinic;
using ClinicBlazor.Features.Health;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.MyInfo;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Settings;

var builder = WebApplication.CreateBuilder(args);

builder.AddClinicShell();
builder.AddClinicData();
builder.AddClinicIdentity();
builder.AddClinicSettings();
builder.AddAppointments();
builder.AddMyInfo();
builder.AddNotifications();
builder.AddClinicStartup();
builder.AddClinicHealth();

var app = builder.Build();

await app.PrepareClinicAsync();

app.UseClinicShell();
app.MapClinicHealth();
app.MapClinicIdentity();
app.MapClinicPages();

app.Run();

/// <summary>The app's entry point, visible to the integration tests' host.</summary>
public partial class Program;
