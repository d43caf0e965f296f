using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>
/// One Blazor Server circuit without a browser: what blazor.web.js (.NET 10) does for a page with
/// interactive server components, spoken directly over SignalR.
/// <list type="number">
/// <item>GET the page with the signed-in cookies and read its <c>&lt;!--Blazor:{"type":"server",…}--&gt;</c>
/// markers and its <c>Blazor-Server-Component-State</c> comment.</item>
/// <item>Connect to <c>/_blazor</c> (WebSockets, MessagePack under the name <c>blazorpack</c>) and call
/// <c>StartCircuit(baseUri, uri, "[]", state)</c>.</item>
/// <item>When the server attaches its renderer (<c>Blazor._internal.attachWebRendererInterop</c>, whose second
/// argument is the .NET object that receives browser events), send <c>UpdateRootComponents</c> with an
/// <c>add</c> operation per marker.</item>
/// <item>Acknowledge every <c>JS.RenderBatch</c> with <c>OnRenderCompleted(batchId, null)</c>, answer every
/// <c>JS.BeginInvokeJS</c> that waits for a result with <c>EndInvokeJSFromDotNet</c> (null, or a JS object
/// reference when one is asked for), and follow <c>navigationManager.navigateTo</c> with
/// <c>OnLocationChanged</c> as the browser's router does.</item>
/// <item>Click: <c>BeginInvokeDotNetFromJS(…, "DispatchEventAsync", rendererObjectId, [descriptor, mouse args])</c>;
/// .NET 10's hub has no <c>DispatchBrowserEvent</c> any more.</item>
/// </list>
/// Buttons are found by their <c>aria-label</c> in the render batches; the batches' strings can be kept
/// (<see cref="KeepText"/>) so a test can see what was rendered.
/// </summary>
public sealed partial class HeadlessCircuit : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Lock gate = new();
    private readonly Dictionary<string, (int ComponentId, ulong HandlerId)> buttons = new(StringComparer.Ordinal);
    private readonly HashSet<string> testIds = new(StringComparer.Ordinal);
    private readonly List<string> text = [];
    private readonly TaskCompletionSource<long> rendererAttached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpClient http;
    private readonly CookieContainer cookies;
    private HubConnection? connection;
    private Func<HeadlessCircuit, bool>? readyWhen;
    private TaskCompletionSource? ready;
    private (Func<IReadOnlyCollection<string>, bool> Done, TaskCompletionSource Seen)? awaitedBatch;
    private long jsObjectIds;
    private int dotNetCallIds;
    private string? secret;
    private Uri location;

    private HeadlessCircuit(HttpClient http, CookieContainer cookies, Uri page)
    {
        this.http = http;
        this.cookies = cookies;
        location = page;
    }

    /// <summary>Keep every string of every render batch in <see cref="RenderedText"/> (tests; costs memory at scale).</summary>
    public bool KeepText { get; private init; }

    public IReadOnlyList<string> RenderedText
    {
        get
        {
            lock (gate)
            {
                return [.. text];
            }
        }
    }

    public int RenderBatches { get; private set; }

    public int JsCallsAnswered { get; private set; }

    public IReadOnlyList<string> JsIdentifiers => jsIdentifiers;

    public string? Error { get; private set; }

    public Uri Location => location;

    private readonly List<string> jsIdentifiers = [];

    /// <summary>
    /// Loads the page and starts its circuit; returns once <paramref name="readyWhen"/> holds after a render batch
    /// (for example: the calendar grid and its Next button have been rendered interactively).
    /// </summary>
    public static async Task<HeadlessCircuit> OpenAsync(HttpClient http, CookieContainer cookies, Uri page, Func<HeadlessCircuit, bool> readyWhen, bool keepText = false, CancellationToken cancellation = default)
    {
        var circuit = new HeadlessCircuit(http, cookies, page) { KeepText = keepText, readyWhen = readyWhen, ready = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        try
        {
            await circuit.StartAsync(cancellation);
            return circuit;
        }
        catch
        {
            await circuit.DisposeAsync();
            throw;
        }
    }

    public bool HasTestId(string testId)
    {
        lock (gate)
        {
            return testIds.Contains(testId);
        }
    }

    public bool HasButton(string ariaLabel)
    {
        lock (gate)
        {
            return buttons.ContainsKey(ariaLabel);
        }
    }

    /// <summary>
    /// Clicks the button with this aria-label, as the browser's event delegator does, and returns the time until
    /// a render batch for which <paramref name="isResult"/> holds (given that batch's strings) has arrived.
    /// </summary>
    public async Task<TimeSpan> ClickAsync(string ariaLabel, Func<IReadOnlyCollection<string>, bool> isResult, CancellationToken cancellation = default)
    {
        var hub = connection ?? throw new InvalidOperationException("The circuit is not open.");
        ulong handler;
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            handler = buttons.TryGetValue(ariaLabel, out var button) ? button.HandlerId : throw new InvalidOperationException($"No button '{ariaLabel}' has been rendered.");
            awaitedBatch = (isResult, seen);
        }

        var rendererObject = await rendererAttached.Task;
        var descriptor = new JsonObject { ["eventHandlerId"] = handler, ["eventName"] = "click", ["eventFieldInfo"] = null };
        var mouse = new JsonObject
        {
            ["type"] = "click", ["detail"] = 1, ["screenX"] = 0, ["screenY"] = 0, ["clientX"] = 0, ["clientY"] = 0, ["offsetX"] = 0, ["offsetY"] = 0,
            ["pageX"] = 0, ["pageY"] = 0, ["movementX"] = 0, ["movementY"] = 0, ["button"] = 0, ["buttons"] = 0,
            ["ctrlKey"] = false, ["shiftKey"] = false, ["altKey"] = false, ["metaKey"] = false,
        };
        var callId = Interlocked.Increment(ref dotNetCallIds).ToString(CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        await hub.SendAsync("BeginInvokeDotNetFromJS", callId, null, "DispatchEventAsync", rendererObject, new JsonArray(descriptor, mouse).ToJsonString(), cancellation);
        await seen.Task.WaitAsync(Patience, cancellation);
        return clock.Elapsed;
    }

    /// <summary>Closes the connection and tells the server to dispose the circuit now, as a closing tab does.</summary>
    public async ValueTask DisposeAsync()
    {
        if (connection is not null)
        {
            await connection.DisposeAsync();
            connection = null;
            if (secret is not null)
            {
                try
                {
                    using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["circuitId"] = secret });
                    using var response = await http.PostAsync("_blazor/disconnect", form);
                }
                catch (HttpRequestException)
                {
                    // The server is gone: nothing left to dispose.
                }
            }
        }
    }

    private async Task StartAsync(CancellationToken cancellation)
    {
        var html = await http.GetStringAsync(location, cancellation);
        var markers = Markers().Matches(html).Select(m => JsonNode.Parse(m.Groups[1].Value)!.AsObject()).Where(m => (string?)m["type"] == "server").ToList();
        if (markers.Count == 0)
        {
            throw new InvalidOperationException($"{location} has no interactive server components (signed out?).");
        }

        var state = ServerState().Match(html) is { Success: true } found ? found.Groups[1].Value : "";
        var baseUri = new Uri(location, "/");

        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(baseUri, "_blazor"), HttpTransportType.WebSockets, options =>
            {
                options.SkipNegotiation = true;
                options.Cookies = cookies;
            });
        builder.Services.AddSingleton<IHubProtocol>(new BlazorPackProtocol());
        var hub = builder.Build();
        hub.ServerTimeout = TimeSpan.FromMinutes(5);
        hub.HandshakeTimeout = Patience;
        connection = hub;

        hub.On<long, byte[]>("JS.RenderBatch", (batchId, batch) => OnRenderBatchAsync(hub, batchId, batch));
        hub.On("JS.BeginInvokeJS", [typeof(long), typeof(string), typeof(string), typeof(int), typeof(long), typeof(int)], arguments => OnBeginInvokeJSAsync(hub, arguments));
        hub.On<string, bool, string?>("JS.EndInvokeDotNet", (_, succeeded, error) =>
        {
            if (!succeeded)
            {
                Fail($"A call into .NET failed: {error}");
            }
        });
        hub.On<long>("JS.EndUpdateRootComponents", _ => { });
        hub.On<string>("JS.Error", error => Fail($"The server reported: {error}"));
        hub.Closed += exception =>
        {
            if (exception is not null)
            {
                Fail($"The connection closed: {exception.Message}");
            }

            return Task.CompletedTask;
        };

        await hub.StartAsync(cancellation);
        secret = await hub.InvokeAsync<string?>("StartCircuit", baseUri.ToString(), location.ToString(), "[]", state, cancellation)
            ?? throw new InvalidOperationException($"The server refused the circuit: {Error}");

        await rendererAttached.Task.WaitAsync(Patience, cancellation);
        var operations = new JsonArray([.. markers.Select((marker, index) => (JsonNode)new JsonObject
        {
            ["type"] = "add",
            ["ssrComponentId"] = index + 1,
            ["marker"] = marker.DeepClone(),
        })]);
        await hub.SendAsync("UpdateRootComponents", new JsonObject { ["batchId"] = 1, ["operations"] = operations }.ToJsonString(), state, cancellation);
        await ready!.Task.WaitAsync(Patience, cancellation);
    }

    private async Task OnRenderBatchAsync(HubConnection hub, long batchId, byte[] batch)
    {
        var reader = new RenderBatchReader(batch);
        var strings = reader.Strings().ToList();
        TaskCompletionSource? becameReady = null;
        TaskCompletionSource? resultSeen = null;
        lock (gate)
        {
            RenderBatches++;
            if (KeepText)
            {
                text.AddRange(strings);
            }

            FindButtonsAndTestIds(reader);
            if (ready is not null && readyWhen!(this))
            {
                (becameReady, ready) = (ready, null);
            }

            if (awaitedBatch is { } awaited && awaited.Done(strings))
            {
                resultSeen = awaited.Seen;
                awaitedBatch = null;
            }
        }

        await hub.SendAsync("OnRenderCompleted", batchId, null);
        becameReady?.TrySetResult();
        resultSeen?.TrySetResult();
    }

    /// <summary>Buttons (elements with an aria-label and an onclick handler) and data-testid values, newly rendered or updated.</summary>
    private void FindButtonsAndTestIds(RenderBatchReader reader)
    {
        var frames = reader.FrameCount;
        var componentOfFrame = new Dictionary<int, int>();
        foreach (var (componentId, edits) in reader.Diffs())
        {
            foreach (var (type, frame) in edits)
            {
                if (type == RenderBatchReader.EditType.PrependFrame && frame < frames)
                {
                    var end = Math.Min(frames, frame + Math.Max(1, reader.TypeOf(frame) is RenderBatchReader.FrameType.Element or RenderBatchReader.FrameType.Component ? reader.SubtreeLength(frame) : 1));
                    for (var inner = frame; inner < end; inner++)
                    {
                        componentOfFrame.TryAdd(inner, componentId);
                    }
                }
                else if (type == RenderBatchReader.EditType.SetAttribute && reader.AttributeName(frame) == "onclick")
                {
                    // A button of a component re-rendered with a new handler: the component renders one button.
                    var label = buttons.FirstOrDefault(b => b.Value.ComponentId == componentId).Key;
                    if (label is not null)
                    {
                        buttons[label] = (componentId, reader.EventHandlerId(frame));
                    }
                }
            }
        }

        for (var frame = 0; frame < frames; frame++)
        {
            if (reader.TypeOf(frame) != RenderBatchReader.FrameType.Element)
            {
                continue;
            }

            string? label = null;
            ulong onclick = 0;
            foreach (var attribute in reader.AttributesOf(frame))
            {
                switch (reader.AttributeName(attribute))
                {
                    case "aria-label":
                        label = reader.AttributeValue(attribute);
                        break;
                    case "onclick":
                        onclick = reader.EventHandlerId(attribute);
                        break;
                    case "data-testid" when reader.AttributeValue(attribute) is { } testId:
                        testIds.Add(testId);
                        break;
                }
            }

            if (label is not null && onclick != 0)
            {
                buttons[label] = (componentOfFrame.GetValueOrDefault(frame, -1), onclick);
            }
        }
    }

    private async Task OnBeginInvokeJSAsync(HubConnection hub, object?[] arguments)
    {
        var asyncHandle = (long)arguments[0]!;
        var identifier = (string)arguments[1]!;
        var argsJson = (string?)arguments[2];
        var resultType = (int)arguments[3]!;
        lock (gate)
        {
            if (KeepText)
            {
                jsIdentifiers.Add(identifier);
            }
        }

        Uri? navigatedTo = null;
        switch (identifier)
        {
            case "Blazor._internal.attachWebRendererInterop":
                var rendererObject = JsonNode.Parse(argsJson!)![1]!["__dotNetObject"]!.GetValue<long>();
                rendererAttached.TrySetResult(rendererObject);
                break;
            case "Blazor._internal.navigationManager.navigateTo":
                navigatedTo = new Uri(location, JsonNode.Parse(argsJson!)![0]!.GetValue<string>());
                break;
        }

        if (asyncHandle != 0)
        {
            // JSCallResultType.JSObjectReference = 1: .NET expects a handle for later calls on that object.
            var result = resultType == 1 ? $"{{\"__jsObjectId\":{Interlocked.Increment(ref jsObjectIds)}}}" : "null";
            await hub.SendAsync("EndInvokeJSFromDotNet", asyncHandle, true, $"[{asyncHandle},true,{result}]");
            JsCallsAnswered++;
        }

        if (navigatedTo is not null)
        {
            // The browser's router: history.pushState, then tell .NET the location changed (not an intercepted link).
            location = navigatedTo;
            await hub.SendAsync("OnLocationChanged", navigatedTo.ToString(), null, false);
        }
    }

    private void Fail(string error)
    {
        Error ??= error;
        TaskCompletionSource? pendingReady;
        TaskCompletionSource? pendingResult;
        lock (gate)
        {
            pendingReady = ready;
            pendingResult = awaitedBatch?.Seen;
        }

        var exception = new InvalidOperationException(error);
        rendererAttached.TrySetException(exception);
        pendingReady?.TrySetException(exception);
        pendingResult?.TrySetException(exception);
    }

    [GeneratedRegex("<!--Blazor:(\\{.*?\\})-->", RegexOptions.Singleline)]
    private static partial Regex Markers();

    [GeneratedRegex("<!--Blazor-Server-Component-State:([A-Za-z0-9+/=]+)-->")]
    private static partial Regex ServerState();

    /// <summary>SignalR's MessagePack hub protocol under the name Blazor's hub accepts.</summary>
    private sealed class BlazorPackProtocol : IHubProtocol
    {
        private readonly MessagePackHubProtocol inner = new();

        public string Name => "blazorpack";

        public int Version => inner.Version;

        public TransferFormat TransferFormat => inner.TransferFormat;

        public bool TryParseMessage(ref System.Buffers.ReadOnlySequence<byte> input, IInvocationBinder binder, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HubMessage? message) => inner.TryParseMessage(ref input, binder, out message);

        public void WriteMessage(HubMessage message, System.Buffers.IBufferWriter<byte> output) => inner.WriteMessage(message, output);

        public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);

        public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);
    }
}
