using ClinicBlazor.Features.Notifications.Sms;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClinicBlazor.Tests.Features.Notifications.Sms;

/// <summary>The app's SMS registrations (AddSms) on their own, configured like appsettings would.</summary>
internal sealed class SmsTestHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private SmsTestHost(WebApplication app) => this.app = app;

    public IServiceProvider Services => app.Services;

    public ISmsSender Sender => app.Services.GetRequiredService<ISmsSender>();

    public static SmsTestHost Create(IDictionary<string, string?> settings, ILoggerProvider? logs = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.AddSms();
        return new SmsTestHost(builder.Build());
    }

    /// <summary>Twilio at the stand-in with the Auth Token, a From number and a status callback URL.</summary>
    public static Dictionary<string, string?> TwilioSettings(TwilioStandIn standIn, int timeoutSeconds = 10) => new()
    {
        ["Notifications:Sms:Twilio:AccountSid"] = TwilioStandIn.AccountSid,
        ["Notifications:Sms:Twilio:AuthToken"] = TwilioStandIn.AuthToken,
        ["Notifications:Sms:Twilio:From"] = TwilioStandIn.From,
        ["Notifications:Sms:Twilio:BaseUrl"] = standIn.BaseUrl.ToString(),
        ["Notifications:Sms:Twilio:StatusCallbackUrl"] = "https://clinic.example.org/webhooks/twilio/status",
        ["Notifications:Sms:Twilio:TimeoutSeconds"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
