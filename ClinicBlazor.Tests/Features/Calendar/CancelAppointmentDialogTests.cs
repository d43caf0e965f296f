using Bunit;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Calendar;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace ClinicBlazor.Tests.Features.Calendar;

public sealed class CancelAppointmentDialogTests : IAsyncLifetime
{
    private readonly BunitContext context = new();

    public CancelAppointmentDialogTests()
    {
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
    }

    [Fact]
    public async Task Nothing_is_decided_until_Cancel_appointment_is_pressed_and_Keep_appointment_backs_out()
    {
        var (provider, reference) = await ShowAsync();

        Assert.Contains("Jane Smith · Tue 24 Nov 10:30 with Priya Patel", provider.Find("[data-testid='cancel-summary']").TextContent, StringComparison.Ordinal);
        Assert.False(reference.Result.IsCompleted);

        await provider.InvokeAsync(() => Button(provider, "Keep appointment").Click());

        var result = await reference.Result;
        Assert.True(result!.Canceled);
    }

    [Fact]
    public async Task Confirming_returns_the_reason_and_the_trimmed_note()
    {
        var (provider, reference) = await ShowAsync();
        var dialog = provider.FindComponent<CancelAppointmentDialog>();
        var reason = dialog.FindComponent<MudSelect<CancellationReason?>>();
        await provider.InvokeAsync(() => reason.Instance.SelectOption(CancellationReason.ConditionWorse));
        provider.Find("textarea").Change("  Pain is worse  ");
        Assert.False(reference.Result.IsCompleted);

        await provider.InvokeAsync(() => Button(provider, "Cancel appointment").Click());

        var result = await reference.Result;
        Assert.False(result!.Canceled);
        Assert.Equal(new CancellationChoice(CancellationReason.ConditionWorse, "Pain is worse"), result.Data);
    }

    private async Task<(IRenderedComponent<MudDialogProvider> Provider, IDialogReference Reference)> ShowAsync()
    {
        context.Render<MudPopoverProvider>();
        var provider = context.Render<MudDialogProvider>();
        var dialogs = context.Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<CancelAppointmentDialog> { { d => d.Summary, "Jane Smith · Tue 24 Nov 10:30 with Priya Patel" } };
        var reference = await provider.InvokeAsync(() => dialogs.ShowAsync<CancelAppointmentDialog>("Cancel appointment", parameters));
        return (provider, reference);
    }

    private static AngleSharp.Dom.IElement Button(IRenderedComponent<MudDialogProvider> provider, string name) =>
        provider.FindAll("button").Single(b => b.TextContent.Trim() == name);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await context.DisposeAsync();
}
