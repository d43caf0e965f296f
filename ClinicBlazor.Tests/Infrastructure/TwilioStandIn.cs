using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClinicBlazor.Tests.Infrastructure;

/// <summary>
/// Twilio's Messages API on loopback, strict the way Twilio is: the path, Basic auth (Auth Token or
/// API key), the form content type and the required fields are checked and answered with Twilio's
/// error JSON. It keeps a message log for the list endpoint and records every request with its
/// arrival time. Each POST can be scripted (<see cref="Enqueue"/>): errors, a delay past the
/// client's timeout, or a 500 that did or did not keep the message.
/// </summary>
public sealed class TwilioStandIn : IAsyncLifetime, IAsyncDisposable
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "stand-in-auth-token";
    public const string ApiKeySid = "SK0123456789abcdef0123456789abcdef";
    public const string ApiKeySecret = "stand-in-api-key-secret";
    public const string From = "+61400000001";

    private readonly ConcurrentQueue<StandInReply> script = new();
    private readonly List<StandInRequest> requests = [];
    private readonly List<StandInMessage> messages = [];
    private readonly Lock gate = new();
    private WebApplication? app;

    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Added to the stand-in's clock for <c>date_created</c>, to play Twilio's clock running behind or ahead.</summary>
    public TimeSpan ClockOffset { get; set; }

    /// <summary>Twilio's clock: the machine's (shifted under <c>./test.sh --at</c>) unless a test on a fake clock hands it its own, so that
    /// <c>date_created</c> is read on the same time line as the app's attempts.</summary>
    public TimeProvider Clock { get; set; } = ShiftedClock.FromEnvironment ?? TimeProvider.System;

    /// <summary>
    /// When set, message POSTs are served at most this many a second, each waiting for its slot in
    /// arrival order (a provider's throughput limit); set before the first request.
    /// </summary>
    public int? RequestsPerSecond { get; set; }

    /// <summary>The share of unscripted message POSTs answered 429 (code 20429), chosen at random.</summary>
    public double TooManyRequestsShare { get; set; }

    /// <summary>How long an unscripted accepted message POST waits before its answer (a provider's own latency).</summary>
    public TimeSpan AnswerDelay { get; set; }

    private readonly Random chance = new(20429);
    private readonly List<SlotGap> gaps = [];
    private long nextSlotTicks;

    /// <summary>
    /// With <see cref="RequestsPerSecond"/>: each time a request arrived after its slot had passed unused,
    /// when the unused time began and how long it lasted (the provider's capacity the client left idle).
    /// </summary>
    public IReadOnlyList<SlotGap> IdleGaps
    {
        get
        {
            lock (gate)
            {
                return gaps.ToList();
            }
        }
    }

    public IReadOnlyList<StandInRequest> Requests
    {
        get
        {
            lock (gate)
            {
                return requests.ToList();
            }
        }
    }

    public IReadOnlyList<StandInRequest> MessagePosts => Requests.Where(r => r.Method == "POST").ToList();

    public IReadOnlyList<StandInMessage> Messages
    {
        get
        {
            lock (gate)
            {
                return messages.ToList();
            }
        }
    }

    /// <summary>The next POSTs are answered like this, in order; after the script runs out, messages are accepted.</summary>
    public void Enqueue(params StandInReply[] replies)
    {
        foreach (var reply in replies)
        {
            script.Enqueue(reply);
        }
    }

    /// <summary>Puts a message in the log as if sent earlier (another delivery, an older one).</summary>
    public StandInMessage AddToLog(string to, string body, DateTime createdUtc, string status = "delivered")
    {
        var message = new StandInMessage(NewSid(), to, body, status, createdUtc, status == "queued" ? null : createdUtc);
        lock (gate)
        {
            messages.Add(message);
        }

        return message;
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        app = builder.Build();
        app.MapPost("/2010-04-01/Accounts/{account}/Messages.json", CreateMessageAsync);
        app.MapGet("/2010-04-01/Accounts/{account}/Messages.json", ListMessages);
        app.MapFallback((HttpContext context) =>
        {
            Record(context, new Dictionary<string, string>());
            return Error(HttpStatusCode.NotFound, 20404, $"The requested resource {context.Request.Path} was not found");
        });
        await app.StartAsync();
        var address = app.Urls.First();
        BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
            app = null;
        }
    }

    private async Task<IResult> CreateMessageAsync(string account, HttpContext context)
    {
        var request = context.Request;
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        var isForm = request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true;
        if (isForm)
        {
            foreach (var field in await request.ReadFormAsync())
            {
                form[field.Key] = field.Value.ToString();
            }
        }

        var recorded = Record(context, form);
        if (Authenticate(account, recorded.BasicUser, recorded.BasicPassword) is { } refused)
        {
            return refused;
        }

        if (!isForm)
        {
            return Error(HttpStatusCode.BadRequest, 20001, "Content-Type must be application/x-www-form-urlencoded");
        }

        if (!form.TryGetValue("To", out var to) || to.Length == 0)
        {
            return Error(HttpStatusCode.BadRequest, 21604, "A 'To' phone number is required.");
        }

        if (!form.TryGetValue("Body", out var body) || body.Length == 0)
        {
            return Error(HttpStatusCode.BadRequest, 21602, "Message body is required.");
        }

        var hasFrom = form.TryGetValue("From", out var from) && from.Length > 0;
        var hasService = form.TryGetValue("MessagingServiceSid", out var service) && service.Length > 0;
        if (!hasFrom && !hasService)
        {
            return Error(HttpStatusCode.BadRequest, 21603, "A 'From' phone number is required.");
        }

        if (!System.Text.RegularExpressions.Regex.IsMatch(to, @"^\+[1-9]\d{6,14}$"))
        {
            return Error(HttpStatusCode.BadRequest, 21211, $"Invalid 'To' Phone Number: {to}");
        }

        if (form.TryGetValue("ValidityPeriod", out var validity)
            && (!int.TryParse(validity, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > 36_000))
        {
            return Error(HttpStatusCode.BadRequest, 21609, "ValidityPeriod must be between 1 and 36000 seconds.");
        }

        await WaitForSlotAsync(context.RequestAborted);
        var reply = script.TryDequeue(out var scripted) ? scripted : Unscripted();
        if (reply.KeepsMessage)
        {
            var message = new StandInMessage(NewSid(), to, body, "queued", Now(), null);
            lock (gate)
            {
                messages.Add(message);
            }

            if (reply.Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(reply.Delay, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up waiting; Twilio would still send the message it queued.
                    return Results.Empty;
                }
            }

            if (reply.Status is null)
            {
                return Results.Json(Resource(message), statusCode: StatusCodes.Status201Created);
            }
        }

        return Error((HttpStatusCode)reply.Status!.Value, reply.Code, reply.Message, reply.RetryAfterSeconds);
    }

    private async Task WaitForSlotAsync(CancellationToken cancellationToken)
    {
        if (RequestsPerSecond is not { } perSecond)
        {
            return;
        }

        var interval = TimeSpan.TicksPerSecond / perSecond;
        long slot;
        lock (gate)
        {
            var now = DateTime.UtcNow.Ticks;
            if (nextSlotTicks > 0 && now > nextSlotTicks)
            {
                gaps.Add(new SlotGap(new DateTime(nextSlotTicks, DateTimeKind.Utc), TimeSpan.FromTicks(now - nextSlotTicks)));
            }

            slot = Math.Max(now, nextSlotTicks);
            nextSlotTicks = slot + interval;
        }

        var wait = TimeSpan.FromTicks(slot - DateTime.UtcNow.Ticks);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }

    private StandInReply Unscripted()
    {
        lock (gate)
        {
#pragma warning disable CA5394 // Which requests are refused, not security.
            return chance.NextDouble() < TooManyRequestsShare ? StandInReply.TooManyRequests() : StandInReply.AcceptAfter(AnswerDelay);
#pragma warning restore CA5394
        }
    }

    private IResult ListMessages(string account, HttpContext context)
    {
        var recorded = Record(context, new Dictionary<string, string>());
        if (Authenticate(account, recorded.BasicUser, recorded.BasicPassword) is { } refused)
        {
            return refused;
        }

        var to = context.Request.Query["To"].ToString();
        var pageSize = int.TryParse(context.Request.Query["PageSize"], out var size) ? Math.Clamp(size, 1, 1000) : 50;
        List<StandInMessage> page;
        lock (gate)
        {
            page = messages.Where(m => to.Length == 0 || m.To == to).OrderByDescending(m => m.DateCreatedUtc).Take(pageSize).ToList();
        }

        return Results.Json(new Dictionary<string, object?>
        {
            ["messages"] = page.Select(Resource).ToList(),
            ["page"] = 0,
            ["page_size"] = pageSize,
            ["first_page_uri"] = $"/2010-04-01/Accounts/{account}/Messages.json?To={Uri.EscapeDataString(to)}&PageSize={pageSize}&Page=0",
            ["next_page_uri"] = null,
            ["previous_page_uri"] = null,
            ["uri"] = context.Request.Path + context.Request.QueryString,
        });
    }

    private static ErrorResult? Authenticate(string account, string? user, string? password)
    {
        var valid = (user == AccountSid && password == AuthToken) || (user == ApiKeySid && password == ApiKeySecret);
        if (!valid || account != AccountSid)
        {
            return Error(HttpStatusCode.Unauthorized, 20003, "Authenticate");
        }

        return null;
    }

    private StandInRequest Record(HttpContext context, Dictionary<string, string> form)
    {
        string? user = null;
        string? password = null;
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.Ordinal))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..]));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                (user, password) = colon < 0 ? (decoded, null) : (decoded[..colon], decoded[(colon + 1)..]);
            }
            catch (FormatException)
            {
                // Not base64: recorded as no credentials, refused as Twilio would.
            }
        }

        var recorded = new StandInRequest(
            context.Request.Method, context.Request.Path, context.Request.QueryString.Value ?? "", context.Request.ContentType,
            user, password, form, DateTime.UtcNow);
        lock (gate)
        {
            requests.Add(recorded);
        }

        return recorded;
    }

    private DateTime Now() => Clock.GetUtcNow().UtcDateTime + ClockOffset;

    private static string NewSid() => "SM" + RandomNumberGenerator.GetHexString(32, lowercase: true);

    private static string Rfc2822(DateTime utc) => utc.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);

    private static Dictionary<string, object?> Resource(StandInMessage message) => new()
    {
        ["sid"] = message.Sid,
        ["account_sid"] = AccountSid,
        ["to"] = message.To,
        ["from"] = From,
        ["body"] = message.Body,
        ["status"] = message.Status,
        ["num_segments"] = "1",
        ["direction"] = "outbound-api",
        ["api_version"] = "2010-04-01",
        ["date_created"] = Rfc2822(message.DateCreatedUtc),
        ["date_updated"] = Rfc2822(message.DateCreatedUtc),
        ["date_sent"] = message.DateSentUtc is { } sent ? Rfc2822(sent) : null,
        ["error_code"] = null,
        ["error_message"] = null,
        ["price"] = null,
        ["uri"] = $"/2010-04-01/Accounts/{AccountSid}/Messages/{message.Sid}.json",
    };

    private static ErrorResult Error(HttpStatusCode status, int? code, string message, int? retryAfterSeconds = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["code"] = code,
            ["message"] = message,
            ["more_info"] = code is null ? null : $"https://www.twilio.com/docs/errors/{code}",
            ["status"] = (int)status,
        };
        return new ErrorResult(Results.Json(body, statusCode: (int)status), retryAfterSeconds);
    }

    private sealed class ErrorResult(IResult inner, int? retryAfterSeconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            if (retryAfterSeconds is { } seconds)
            {
                httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            }

            return inner.ExecuteAsync(httpContext);
        }
    }
}

/// <summary>One request as the stand-in received it.</summary>
public sealed record StandInRequest(
    string Method,
    string Path,
    string Query,
    string? ContentType,
    string? BasicUser,
    string? BasicPassword,
    IReadOnlyDictionary<string, string> Form,
    DateTime ArrivedUtc);

/// <summary>Time the rate-limited stand-in stood idle: from <paramref name="FromUtc"/>, when a slot was free, for <paramref name="Length"/>.</summary>
public sealed record SlotGap(DateTime FromUtc, TimeSpan Length);

/// <summary>A message in the stand-in's log (what the list endpoint returns).</summary>
public sealed record StandInMessage(string Sid, string To, string Body, string Status, DateTime DateCreatedUtc, DateTime? DateSentUtc);

/// <summary>How the stand-in answers one POST.</summary>
/// <param name="Status">The HTTP error status; null for 201 Created.</param>
/// <param name="KeepsMessage">Whether the message enters the log (and so would reach the phone).</param>
public sealed record StandInReply(int? Status, int? Code, string Message, bool KeepsMessage, TimeSpan Delay = default, int? RetryAfterSeconds = null)
{
    public static StandInReply Accept() => new(null, null, "", KeepsMessage: true);

    /// <summary>Queues the message, then answers only after <paramref name="delay"/> (past the client's timeout).</summary>
    public static StandInReply AcceptAfter(TimeSpan delay) => new(null, null, "", KeepsMessage: true, delay);

    public static StandInReply TooManyRequests(int? retryAfterSeconds = null) =>
        new(429, 20429, "Too Many Requests", KeepsMessage: false, RetryAfterSeconds: retryAfterSeconds);

    public static StandInReply ServiceUnavailable() => new(503, 20503, "Service Unavailable", KeepsMessage: false);

    /// <summary>A 5xx after which the message was (<paramref name="kept"/>) or was not queued.</summary>
    public static StandInReply ServerError(int status = 500, bool kept = false) => new(status, 20500, "Internal Server Error", kept);

    public static StandInReply NumberError(int code = 21211, string message = "The 'To' number is not a valid phone number.") => new(400, code, message, KeepsMessage: false);

    public static StandInReply AccountError(int code = 20003, int status = 401, string message = "Authenticate") => new(status, code, message, KeepsMessage: false);

    public static StandInReply Refused(int status, int code, string message) => new(status, code, message, KeepsMessage: false);
}
