namespace ClinicBlazor.Features.Staff;

public static class StaffExtensions
{
    public static WebApplicationBuilder AddStaff(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<StaffService>();
        builder.Services.AddScoped<AvailabilitySettingsService>();
        builder.Services.AddScoped<AvailabilityService>();
        return builder;
    }
}
