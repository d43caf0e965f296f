using ClinicBlazor.Features.Diagnostics;
using ClinicBlazor.Features.Hosting;
using ClinicBlazor.Features.Identity;
using MudBlazor.Services;

namespace ClinicBlazor.Components;

public static class ShellExtensions
{
    public static WebApplicationBuilder AddClinicShell(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddCircuitProbe();
        return builder;
    }

    public static WebApplication UseClinicShell(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = ErrorPage.WriteAsync });
            app.UseHsts();
        }

        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAuthentication();
        app.UseMustChangePassword();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapClinicPages(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode(server => server.ContentSecurityFrameAncestorsPolicy = SecurityHeaders.FrameAncestors);
        app.MapCircuitProbe();
        return app;
    }
}
