namespace ClinicBlazor.Features.Appointments;

public static class AppointmentsExtensions
{
    public static WebApplicationBuilder AddAppointments(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CalendarNotifier>();
        builder.Services.AddScoped<AppointmentService>();
        return builder;
    }
}
