using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Notifications.Sms;

/// <summary><c>Notifications:Sms</c>: Twilio when an account is set, otherwise the development sink folder.</summary>
public sealed class SmsOptions
{
    public const string Section = "Notifications:Sms";

    /// <summary>Where the development sink writes each SMS when no Twilio account is set.</summary>
    public string DevSinkDirectory { get; set; } = Path.Combine("App_Data", "sms");

    public TwilioOptions Twilio { get; set; } = new();

    public bool UsesTwilio => !string.IsNullOrWhiteSpace(Twilio.AccountSid);
}

/// <summary><c>Notifications:Sms:Twilio</c>: the account, how to authenticate, and who sends.</summary>
public sealed class TwilioOptions
{
    public string? AccountSid { get; set; }
    public string? AuthToken { get; set; }
    public string? ApiKeySid { get; set; }
    public string? ApiKeySecret { get; set; }
    public string? From { get; set; }
    public string? MessagingServiceSid { get; set; }
    public string BaseUrl { get; set; } = "https://api.twilio.com";
    public string? StatusCallbackUrl { get; set; }
    public int TimeoutSeconds { get; set; } = 10;

    public bool HasAuthToken => !string.IsNullOrWhiteSpace(AuthToken);

    /// <summary>Twilio signs callbacks with the Auth Token only: with an API key alone none are asked for.</summary>
    public bool SendsStatusCallbacks => HasAuthToken && !string.IsNullOrWhiteSpace(StatusCallbackUrl);

    /// <summary>The Basic credentials: the Auth Token when set, otherwise the API key.</summary>
    public (string User, string Password) Credentials =>
        HasAuthToken ? (AccountSid!, AuthToken!) : (ApiKeySid!, ApiKeySecret!);
}

/// <summary>Checks <see cref="SmsOptions"/> at start-up: one sentence per wrong value.</summary>
internal sealed class SmsOptionsValidator : IValidateOptions<SmsOptions>
{
    private const string Prefix = "Notifications:Sms:Twilio:";

    public ValidateOptionsResult Validate(string? name, SmsOptions options)
    {
        var failures = new List<string>();
        var twilio = options.Twilio;
        if (!options.UsesTwilio)
        {
            if (string.IsNullOrWhiteSpace(options.DevSinkDirectory))
            {
                failures.Add("Notifications:Sms:DevSinkDirectory is empty: set a folder for development SMS, or configure Notifications:Sms:Twilio:AccountSid.");
            }

            var stray = new[]
            {
                (nameof(TwilioOptions.AuthToken), twilio.AuthToken), (nameof(TwilioOptions.ApiKeySid), twilio.ApiKeySid),
                (nameof(TwilioOptions.ApiKeySecret), twilio.ApiKeySecret), (nameof(TwilioOptions.From), twilio.From),
                (nameof(TwilioOptions.MessagingServiceSid), twilio.MessagingServiceSid),
            }.Where(setting => !string.IsNullOrWhiteSpace(setting.Item2)).Select(setting => Prefix + setting.Item1).ToList();
            if (stray.Count > 0)
            {
                failures.Add($"{string.Join(", ", stray)} {(stray.Count == 1 ? "is" : "are")} set but {Prefix}AccountSid is not: set the account SID too, or remove them to use the development SMS folder.");
            }

            return Result(failures);
        }

        var accountSid = twilio.AccountSid!.Trim();
        if (!LooksLikeSid(accountSid, "AC"))
        {
            failures.Add($"{Prefix}AccountSid must be a Twilio account SID: \"AC\" followed by 32 hexadecimal characters.");
        }

        var hasApiKeySid = !string.IsNullOrWhiteSpace(twilio.ApiKeySid);
        var hasApiKeySecret = !string.IsNullOrWhiteSpace(twilio.ApiKeySecret);
        if (!twilio.HasAuthToken && !hasApiKeySid && !hasApiKeySecret)
        {
            failures.Add($"{Prefix}AccountSid is set without a way to sign in: set {Prefix}AuthToken, or {Prefix}ApiKeySid with {Prefix}ApiKeySecret.");
        }
        else if (hasApiKeySid != hasApiKeySecret)
        {
            failures.Add($"{Prefix}ApiKeySid and {Prefix}ApiKeySecret go together: one is set without the other.");
        }
        else if (hasApiKeySid && !LooksLikeSid(twilio.ApiKeySid!.Trim(), "SK"))
        {
            failures.Add($"{Prefix}ApiKeySid must be a Twilio API key SID: \"SK\" followed by 32 hexadecimal characters.");
        }

        var hasFrom = !string.IsNullOrWhiteSpace(twilio.From);
        var hasService = !string.IsNullOrWhiteSpace(twilio.MessagingServiceSid);
        if (hasFrom && hasService)
        {
            failures.Add($"Set either {Prefix}From or {Prefix}MessagingServiceSid, not both: Twilio would take the messaging service and ignore From.");
        }
        else if (!hasFrom && !hasService)
        {
            failures.Add($"{Prefix}AccountSid is set but nobody sends: set {Prefix}From (the clinic's Twilio number) or {Prefix}MessagingServiceSid.");
        }
        else if (hasService && !LooksLikeSid(twilio.MessagingServiceSid!.Trim(), "MG"))
        {
            failures.Add($"{Prefix}MessagingServiceSid must be a messaging service SID: \"MG\" followed by 32 hexadecimal characters.");
        }

        if (!Uri.TryCreate(twilio.BaseUrl, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttps && baseUrl.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{Prefix}BaseUrl must be an absolute http(s) address such as https://api.twilio.com.");
        }
        else if (baseUrl.Scheme == Uri.UriSchemeHttp && !baseUrl.IsLoopback)
        {
            failures.Add($"{Prefix}BaseUrl may use plain http only for a loopback stand-in: the credentials would travel in clear.");
        }

        if (!string.IsNullOrWhiteSpace(twilio.StatusCallbackUrl)
            && (!Uri.TryCreate(twilio.StatusCallbackUrl, UriKind.Absolute, out var callback) || (callback.Scheme != Uri.UriSchemeHttps && callback.Scheme != Uri.UriSchemeHttp)))
        {
            failures.Add($"{Prefix}StatusCallbackUrl must be the absolute public address of /webhooks/twilio/status, such as https://clinic.example.org/webhooks/twilio/status.");
        }

        if (twilio.TimeoutSeconds is < 1 or > 120)
        {
            failures.Add($"{Prefix}TimeoutSeconds must be between 1 and 120 seconds.");
        }

        return Result(failures);
    }

    private static ValidateOptionsResult Result(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

    private static bool LooksLikeSid(string value, string prefix) =>
        value.Length == 34 && value.StartsWith(prefix, StringComparison.Ordinal) && value[2..].All(char.IsAsciiHexDigit);
}
