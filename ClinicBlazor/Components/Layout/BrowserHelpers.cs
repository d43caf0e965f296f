using Microsoft.JSInterop;

namespace ClinicBlazor.Components.Layout;

/// <summary>
/// The few things a page asks of the browser itself (js/clinic.js): an element's width, where the
/// keyboard focus goes after a dialog, scrolling a column into view. A circuit that has gone away
/// is not an error here: the page it would have helped is gone too.
/// </summary>
public sealed class BrowserHelpers(IJSRuntime js) : IAsyncDisposable
{
    private IJSObjectReference? module;

    /// <summary>Calls <c>WidthChanged(int)</c> on <paramref name="receiver"/> now and after every resize; dispose the handle to stop.</summary>
    public async Task<IJSObjectReference?> ObserveWidthAsync<T>(Microsoft.AspNetCore.Components.ElementReference element, DotNetObjectReference<T> receiver)
        where T : class =>
        await TryAsync(m => m.InvokeAsync<IJSObjectReference>("observeWidth", element, receiver));

    /// <summary>Moves the focus to the first element matching <paramref name="selector"/> (whose text is <paramref name="text"/>, when given) once it appears.</summary>
    public Task FocusWhenPresentAsync(string selector, string? text = null) =>
        TryAsync(m => m.InvokeVoidAsync("focusWhenPresent", selector, text));

    /// <summary>The focus after a dialog that confirmed something with Undo: the snackbar's Undo button.</summary>
    public Task FocusUndoAsync() => FocusWhenPresentAsync("#mud-snackbar-container button", "Undo");

    public Task RevealTodayAsync(Microsoft.AspNetCore.Components.ElementReference scroller) =>
        TryAsync(m => m.InvokeVoidAsync("revealToday", scroller));

    public Task EnableSlotKeysAsync(Microsoft.AspNetCore.Components.ElementReference grid) =>
        TryAsync(m => m.InvokeVoidAsync("enableSlotKeys", grid));

    private async Task TryAsync(Func<IJSObjectReference, ValueTask> call) => await TryAsync<object?>(async m =>
    {
        await call(m);
        return null;
    });

    private async Task<TResult?> TryAsync<TResult>(Func<IJSObjectReference, ValueTask<TResult>> call)
    {
        try
        {
            module ??= await js.InvokeAsync<IJSObjectReference>("import", "/js/clinic.js");
            return await call(module);
        }
        catch (JSDisconnectedException)
        {
            return default;
        }
        catch (InvalidOperationException)
        {
            // Called while prerendering (no browser yet): nothing to do.
            return default;
        }
        catch (TaskCanceledException)
        {
            return default;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (module is not null)
        {
            try
            {
                await module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
            }
        }
    }
}
