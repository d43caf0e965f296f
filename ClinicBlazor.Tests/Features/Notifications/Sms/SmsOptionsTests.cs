using ClinicBlazor.Features.Notifications.Sms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Tests.Features.Notifications.Sms;

public sealed class SmsOptionsTests
{
    private const string Prefix = "Notifications:Sms:Twilio:";
    private const string AccountSid = "AC0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task Nothing_configured_uses_the_development_sink()
    {
        await using var host = SmsTestHost.Create(new Dictionary<string, string?>
        {
            ["Notifications:Sms:DevSinkDirectory"] = Path.Combine(Path.GetTempPath(), "clinicblazor-sms-" + Guid.NewGuid().ToString("N")),
        });

        Assert.IsType<DevSinkSmsSender>(host.Sender);
    }

    [Fact]
    public async Task Account_without_a_way_to_sign_in_is_refused_with_a_sentence()
    {
        var message = await FailureAsync(new() { [Prefix + "AccountSid"] = AccountSid, [Prefix + "From"] = "+61400000001" });

        Assert.Contains("AccountSid is set without a way to sign in", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_From_and_MessagingServiceSid_are_refused()
    {
        var message = await FailureAsync(new()
        {
            [Prefix + "AccountSid"] = AccountSid, [Prefix + "AuthToken"] = "token",
            [Prefix + "From"] = "+61400000001", [Prefix + "MessagingServiceSid"] = "MG0123456789abcdef0123456789abcdef",
        });

        Assert.Contains("either Notifications:Sms:Twilio:From or Notifications:Sms:Twilio:MessagingServiceSid, not both", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Neither_From_nor_MessagingServiceSid_is_refused()
    {
        var message = await FailureAsync(new() { [Prefix + "AccountSid"] = AccountSid, [Prefix + "AuthToken"] = "token" });

        Assert.Contains("nobody sends", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Half_an_API_key_is_refused()
    {
        var message = await FailureAsync(new()
        {
            [Prefix + "AccountSid"] = AccountSid, [Prefix + "ApiKeySid"] = "SK0123456789abcdef0123456789abcdef", [Prefix + "From"] = "+61400000001",
        });

        Assert.Contains("ApiKeySid and Notifications:Sms:Twilio:ApiKeySecret go together", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_account_sid_and_plain_http_to_a_remote_host_are_each_named()
    {
        var message = await FailureAsync(new()
        {
            [Prefix + "AccountSid"] = "my-account", [Prefix + "AuthToken"] = "token", [Prefix + "From"] = "+61400000001",
            [Prefix + "BaseUrl"] = "http://api.twilio.com",
        });

        Assert.Contains("AccountSid must be a Twilio account SID", message, StringComparison.Ordinal);
        Assert.Contains("plain http only for a loopback", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Twilio_settings_without_an_account_are_refused()
    {
        var message = await FailureAsync(new() { [Prefix + "AuthToken"] = "token" });

        Assert.Contains("AuthToken is set but Notifications:Sms:Twilio:AccountSid is not", message, StringComparison.Ordinal);
    }

    private static async Task<string> FailureAsync(Dictionary<string, string?> settings)
    {
        await using var host = SmsTestHost.Create(settings);
        var exception = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<SmsOptions>>().Value);
        return exception.Message;
    }
}
