using ClinicBlazor.Features.Common;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Notifications.Sms;

/// <summary>
/// Twilio's Messages REST API over a plain typed HttpClient. There is deliberately no retry handler
/// in the pipeline: every try is an attempt the dispatcher records and charges, and Twilio has no
/// idempotency key, so a hidden retry could send (and charge) twice.
/// </summary>
public sealed class TwilioSmsSender(HttpClient http, IOptions<SmsOptions> options, ILogger<TwilioSmsSender> logger) : ISmsSender
{
    private readonly TwilioOptions twilio = options.Value.Twilio;

    public bool SendsStatusCallbacks => twilio.SendsStatusCallbacks;

    public async Task<SmsSendResult> SendAsync(SmsMessage message, CancellationToken cancellationToken = default)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("To", message.ToE164),
            string.IsNullOrWhiteSpace(twilio.MessagingServiceSid) ? new("From", twilio.From!.Trim()) : new("MessagingServiceSid", twilio.MessagingServiceSid.Trim()),
            new("Body", message.Body),
        };
        if (twilio.SendsStatusCallbacks)
        {
            fields.Add(new("StatusCallback", twilio.StatusCallbackUrl!.Trim()));
        }

        if (message.ValidityPeriodSeconds is { } validity)
        {
            fields.Add(new("ValidityPeriod", Math.Clamp(validity, 1, SmsMessage.MaxValidityPeriodSeconds).ToString(CultureInfo.InvariantCulture)));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, MessagesUrl()) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Authorization = BasicCredentials();

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError)
        {
            // The connection never carried the request: Twilio cannot have it.
            return new SmsTransientFailure($"Could not reach Twilio: {exception.Message}");
        }
        catch (HttpRequestException exception)
        {
            return new SmsAmbiguous($"The connection to Twilio broke after the request was sent: {exception.Message}");
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(exception, "Twilio did not answer within {Seconds} s", twilio.TimeoutSeconds);
            return new SmsAmbiguous($"Twilio did not answer within {twilio.TimeoutSeconds} s.");
        }

        using (response)
        {
            string content;
            try
            {
                content = await response.Content.ReadAsStringAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return new SmsAmbiguous($"Twilio's reply (HTTP {(int)response.StatusCode}) was cut off.");
            }

            return response.IsSuccessStatusCode ? Accepted(content) : Classify(response, content);
        }
    }

    public async Task<IReadOnlyList<SmsLogEntry>> ListRecentToAsync(string toE164, CancellationToken cancellationToken = default)
    {
        var url = $"{MessagesUrl()}?To={Uri.EscapeDataString(toE164)}&PageSize=50";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = BasicCredentials();
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var content = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var error = ReadError(content);
                throw new SmsLogUnavailableException($"Twilio refused to list messages (HTTP {(int)response.StatusCode}{(error?.Code is { } code ? $", code {code}" : "")}): {error?.Message ?? "no details"}");
            }

            var page = JsonSerializer.Deserialize<TwilioMessagePage>(content)
                       ?? throw new SmsLogUnavailableException("Twilio's message list was empty.");
            return (page.Messages ?? []).Select(ToLogEntry).ToList();
        }
        catch (HttpRequestException exception)
        {
            throw new SmsLogUnavailableException($"Could not read Twilio's message log: {exception.Message}", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SmsLogUnavailableException($"Twilio's message log did not answer within {twilio.TimeoutSeconds} s.", exception);
        }
        catch (JsonException exception)
        {
            throw new SmsLogUnavailableException("Twilio's message list could not be read.", exception);
        }
    }

    /// <summary>Parses Twilio's date format, RFC 2822 ("Tue, 24 Nov 2026 10:02:03 +0000"), to UTC.</summary>
    public static DateTime? ParseTwilioDate(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        string[] formats = ["ddd, dd MMM yyyy HH:mm:ss zzz", "ddd, d MMM yyyy HH:mm:ss zzz", "r"];
        var normalised = value.Trim();
        // .NET's "zzz" wants "+00:00"; RFC 2822 writes "+0000".
        if (normalised.Length > 5 && normalised[^5] is '+' or '-' && normalised[^4..].All(char.IsAsciiDigit))
        {
            normalised = normalised[..^2] + ":" + normalised[^2..];
        }

        return DateTimeOffset.TryParseExact(normalised, formats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var parsed)
               || DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out parsed)
            ? parsed.UtcDateTime
            : null;
    }

    private string MessagesUrl() =>
        $"{twilio.BaseUrl.TrimEnd('/')}/2010-04-01/Accounts/{Uri.EscapeDataString(twilio.AccountSid!.Trim())}/Messages.json";

    private AuthenticationHeaderValue BasicCredentials()
    {
        var (user, password) = twilio.Credentials;
        return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user.Trim()}:{password.Trim()}")));
    }

    private static SmsSendResult Accepted(string content)
    {
        try
        {
            var message = JsonSerializer.Deserialize<TwilioMessage>(content);
            if (!string.IsNullOrEmpty(message?.Sid))
            {
                return new SmsAccepted(message.Sid, message.Status ?? "queued");
            }
        }
        catch (JsonException)
        {
            // Falls through: a success status without a readable sid is not proof either way.
        }

        return new SmsAmbiguous("Twilio answered with success but without a message SID.");
    }

    private SmsSendResult Classify(HttpResponseMessage response, string content)
    {
        var status = (int)response.StatusCode;
        var error = ReadError(content);
        var code = error?.Code;
        var text = string.IsNullOrWhiteSpace(error?.Message) ? $"Twilio answered HTTP {status}." : error.Message;
        logger.LogWarning("Twilio refused an SMS: HTTP {Status}, code {Code}: {Message}", status, code, LogRedaction.Redact(text));

        if (code is { } known && TwilioErrorCodes.IsNumberProblem(known))
        {
            return new SmsNumberProblem(known, text);
        }

        if (response.StatusCode == HttpStatusCode.Unauthorized || code is { } account && TwilioErrorCodes.IsAccountProblem(account))
        {
            return new SmsAccountProblem(code, text);
        }

        if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable || code == TwilioErrorCodes.TooManyRequests)
        {
            return new SmsTransientFailure($"HTTP {status}{(code is null ? "" : $", code {code}")}: {text}", RetryAfter(response));
        }

        if (status >= 500)
        {
            // 500, 502, 504 and the like: Twilio may have queued the message before failing.
            return new SmsAmbiguous($"HTTP {status}{(code is null ? "" : $", code {code}")}: {text}");
        }

        return new SmsPermanentFailure(code, text);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        return retryAfter?.Date is { } date && response.Headers.Date is { } now && date > now ? date - now : null;
    }

    private static TwilioError? ReadError(string content)
    {
        try
        {
            return string.IsNullOrWhiteSpace(content) ? null : JsonSerializer.Deserialize<TwilioError>(content);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static SmsLogEntry ToLogEntry(TwilioMessage message) => new(
        message.Sid ?? "",
        message.To ?? "",
        message.Body ?? "",
        message.Status ?? "",
        ParseTwilioDate(message.DateCreated) ?? DateTime.MinValue,
        ParseTwilioDate(message.DateSent),
        message.ErrorCode);

    private sealed record TwilioMessage(
        [property: JsonPropertyName("sid")] string? Sid,
        [property: JsonPropertyName("to")] string? To,
        [property: JsonPropertyName("body")] string? Body,
        [property: JsonPropertyName("status")] string? Status,
        [property: JsonPropertyName("date_created")] string? DateCreated,
        [property: JsonPropertyName("date_sent")] string? DateSent,
        [property: JsonPropertyName("error_code")] int? ErrorCode);

    private sealed record TwilioMessagePage([property: JsonPropertyName("messages")] List<TwilioMessage>? Messages);

    private sealed record TwilioError(
        [property: JsonPropertyName("code")] int? Code,
        [property: JsonPropertyName("message")] string? Message,
        [property: JsonPropertyName("more_info")] string? MoreInfo,
        [property: JsonPropertyName("status")] int? Status);
}
