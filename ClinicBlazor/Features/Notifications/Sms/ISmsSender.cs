namespace ClinicBlazor.Features.Notifications.Sms;

/// <summary>One SMS to hand to the provider: the body already fits one GSM-7 segment (see <see cref="SmsText"/>).</summary>
/// <param name="ToE164">The recipient, E.164 ("+61412345678").</param>
/// <param name="Body">The whole text, ending with the delivery's reference.</param>
/// <param name="ValidityPeriodSeconds">How long the provider may queue it (time to the appointment, at most 36,000 s); null for the provider's default.</param>
public sealed record SmsMessage(string ToE164, string Body, int? ValidityPeriodSeconds = null)
{
    /// <summary>Twilio's ceiling for ValidityPeriod.</summary>
    public const int MaxValidityPeriodSeconds = 36_000;
}

/// <summary>
/// Sends SMS through a provider (Twilio's REST API, or the development sink). A send never throws
/// for what the provider or the network does: every outcome is an <see cref="SmsSendResult"/>.
/// </summary>
public interface ISmsSender
{
    /// <summary>Whether delivery reports will arrive at <c>POST /webhooks/twilio/status</c> for messages sent now.</summary>
    bool SendsStatusCallbacks { get; }

    Task<SmsSendResult> SendAsync(SmsMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// The provider's newest messages (up to 50) to a number, newest first, for reconciling an
    /// <see cref="SmsAmbiguous"/> attempt with <see cref="SmsReconciliation.FindMatch"/>.
    /// Throws <see cref="SmsLogUnavailableException"/> when the log cannot be read now (try again later).
    /// </summary>
    Task<IReadOnlyList<SmsLogEntry>> ListRecentToAsync(string toE164, CancellationToken cancellationToken = default);
}

/// <summary>What the provider's log says about one message.</summary>
public sealed record SmsLogEntry(
    string Sid,
    string To,
    string Body,
    string Status,
    DateTime DateCreatedUtc,
    DateTime? DateSentUtc,
    int? ErrorCode = null);

/// <summary>The outcome of one send; the dispatcher maps each kind to a delivery state.</summary>
public abstract record SmsSendResult;

/// <summary>The provider took the message: delivery <c>Sent</c> with this sid; the charge stands.</summary>
public sealed record SmsAccepted(string Sid, string Status) : SmsSendResult;

/// <summary>
/// Definitely not taken, worth trying again later (Twilio 429/20429, 503, connection refused before
/// sending): <c>Retrying</c>, refund the attempt's charge.
/// </summary>
public sealed record SmsTransientFailure(string Reason, TimeSpan? RetryAfter = null) : SmsSendResult;

/// <summary>
/// May or may not have been taken (timeout after the request was sent, Twilio 500/502/504):
/// <c>Unknown</c>, keep the charge, reconcile against <see cref="ISmsSender.ListRecentToAsync"/>.
/// </summary>
public sealed record SmsAmbiguous(string Reason) : SmsSendResult;

/// <summary>The number is the problem (21211, 21614, 21610, 21612): <c>Failed</c>, refund, pause SMS to that number.</summary>
public sealed record SmsNumberProblem(int Code, string Message) : SmsSendResult
{
    /// <summary>21610: the recipient replied STOP; they must text START to the clinic's number.</summary>
    public bool RecipientOptedOut => Code == TwilioErrorCodes.RecipientUnsubscribed;
}

/// <summary>
/// The clinic's account or settings are the problem (20003 or HTTP 401, 21606, 21408): refund,
/// hold the channel as <c>Retrying</c> until the configuration works, show admins a banner.
/// </summary>
public sealed record SmsAccountProblem(int? Code, string Message) : SmsSendResult;

/// <summary>Any other refusal (another 4xx): <c>Failed</c>, refund, not retried.</summary>
public sealed record SmsPermanentFailure(int? Code, string Message) : SmsSendResult;

/// <summary>The provider's message log could not be read now; the attempt stays <c>Unknown</c>.</summary>
public sealed class SmsLogUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>Twilio error codes the app tells apart (https://www.twilio.com/docs/api/errors).</summary>
public static class TwilioErrorCodes
{
    public const int Authentication = 20003;
    public const int TooManyRequests = 20429;
    public const int InvalidToNumber = 21211;
    public const int FromNumberNotValid = 21606;
    public const int RegionNotEnabled = 21408;
    public const int NotAMobileNumber = 21614;
    public const int RecipientUnsubscribed = 21610;
    public const int ToNumberUnreachable = 21612;

    public static bool IsNumberProblem(int code) =>
        code is InvalidToNumber or NotAMobileNumber or RecipientUnsubscribed or ToNumberUnreachable;

    public static bool IsAccountProblem(int code) =>
        code is Authentication or FromNumberNotValid or RegionNotEnabled;
}
