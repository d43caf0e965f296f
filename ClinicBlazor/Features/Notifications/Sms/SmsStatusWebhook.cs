using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Notifications.Sms;

/// <summary>
/// Receives Twilio's delivery reports (MessageSid, MessageStatus, ErrorCode) once the signature is
/// checked. Twilio repeats callbacks, so an implementation must treat a repeat as harmless.
/// </summary>
public interface ISmsStatusSink
{
    Task RecordStatusAsync(string messageSid, string status, string? errorCode, CancellationToken cancellationToken = default);
}

/// <summary>Until the notice pipeline records reports against deliveries, a report is only logged.</summary>
internal sealed class LoggingSmsStatusSink(ILogger<LoggingSmsStatusSink> logger) : ISmsStatusSink
{
    public Task RecordStatusAsync(string messageSid, string status, string? errorCode, CancellationToken cancellationToken = default)
    {
        logger.LogInformation("Twilio reports {MessageSid} {Status} {ErrorCode}", messageSid, status, errorCode);
        return Task.CompletedTask;
    }
}

/// <summary><c>POST /webhooks/twilio/status</c>: no sign-in and no antiforgery token; the signature is the proof.</summary>
internal static class SmsStatusWebhook
{
    public const string Path = "/webhooks/twilio/status";

    public static async Task<IResult> HandleAsync(HttpRequest request, IOptions<SmsOptions> options, ISmsStatusSink sink, ILogger<ISmsStatusSink> logger, CancellationToken cancellationToken)
    {
        // Twilio reads the status code, not a page: the app's status-code pages would re-execute
        // this POST against a Razor page and answer 400 for the missing antiforgery token.
        if (request.HttpContext.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
        {
            statusCodePages.Enabled = false;
        }

        var twilio = options.Value.Twilio;
        if (!twilio.HasAuthToken || !request.HasFormContentType)
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        var form = await request.ReadFormAsync(cancellationToken);
        var parameters = form.SelectMany(field => field.Value.Select(value => new KeyValuePair<string, string>(field.Key, value ?? "")));
        if (!TwilioSignature.IsValid(twilio.AuthToken!.Trim(), PublicUrl(request, twilio), parameters, request.Headers[TwilioSignature.Header]))
        {
            logger.LogWarning("A status callback with a bad or missing {Header} was refused", TwilioSignature.Header);
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        var messageSid = form["MessageSid"].ToString();
        var status = form["MessageStatus"].ToString();
        if (string.IsNullOrEmpty(messageSid) || string.IsNullOrEmpty(status))
        {
            return Results.BadRequest();
        }

        var errorCode = form["ErrorCode"].ToString();
        await sink.RecordStatusAsync(messageSid, status, string.IsNullOrEmpty(errorCode) ? null : errorCode, cancellationToken);
        return Results.Ok();
    }

    /// <summary>
    /// The URL Twilio signed: the configured StatusCallbackUrl (behind a proxy the request's own URL
    /// differs), keeping this request's query string if it has one and the setting does not.
    /// </summary>
    private static string PublicUrl(HttpRequest request, TwilioOptions twilio)
    {
        if (string.IsNullOrWhiteSpace(twilio.StatusCallbackUrl))
        {
            return $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}";
        }

        var configured = twilio.StatusCallbackUrl.Trim();
        return configured.Contains('?', StringComparison.Ordinal) || !request.QueryString.HasValue ? configured : configured + request.QueryString;
    }
}
