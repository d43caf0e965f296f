using System.Collections.Concurrent;
using System.Net;
using ClinicBlazor.Features.Notifications.Sms;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Notifications.Sms;

public sealed class SmsStatusWebhookTests : IAsyncLifetime
{
    private const string CallbackUrl = "https://clinic.example.org/webhooks/twilio/status";
    private const string AuthToken = "webhook-test-token";
    private readonly ClinicAppFactory app = new();
    private readonly RecordingStatusSink sink = new();
    private HttpClient http = default!;

    public Task InitializeAsync()
    {
        app.With("Notifications:Sms:Twilio:AccountSid", "AC0123456789abcdef0123456789abcdef")
            .With("Notifications:Sms:Twilio:AuthToken", AuthToken)
            .With("Notifications:Sms:Twilio:From", "+61400000001")
            .With("Notifications:Sms:Twilio:BaseUrl", "http://127.0.0.1:9/")
            .With("Notifications:Sms:Twilio:StatusCallbackUrl", CallbackUrl);
        app.ConfigureServices = services => services.AddSingleton<ISmsStatusSink>(sink);
        http = new HttpClient { BaseAddress = app.ServerAddress };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task A_correctly_signed_callback_is_recorded_and_a_repeat_is_harmless()
    {
        var form = Callback("SM0123456789abcdef0123456789abcdef", "delivered");

        var first = await PostAsync(form, TwilioSignature.Compute(AuthToken, CallbackUrl, form));
        var repeat = await PostAsync(form, TwilioSignature.Compute(AuthToken, CallbackUrl, form));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(2, sink.Reports.Count);
        Assert.All(sink.Reports, r => Assert.Equal(("SM0123456789abcdef0123456789abcdef", "delivered", (string?)null), r));
    }

    [Fact]
    public async Task The_error_code_of_an_undelivered_message_is_passed_on()
    {
        var form = Callback("SMffffffffffffffffffffffffffffffff", "undelivered");
        form["ErrorCode"] = "30005";

        var response = await PostAsync(form, TwilioSignature.Compute(AuthToken, CallbackUrl, form));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(("SMffffffffffffffffffffffffffffffff", "undelivered", "30005"), sink.Reports);
    }

    [Fact]
    public async Task A_bad_signature_is_forbidden_and_not_recorded()
    {
        var form = Callback("SM0000000000000000000000000000aaaa", "delivered");
        var signature = TwilioSignature.Compute(AuthToken, CallbackUrl, form);
        form["MessageStatus"] = "undelivered";

        var tampered = await PostAsync(form, signature);
        var unsigned = await PostAsync(form, null);
        var otherToken = await PostAsync(form, TwilioSignature.Compute("another-token", CallbackUrl, form));

        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherToken.StatusCode);
        Assert.DoesNotContain(sink.Reports, r => r.Sid == "SM0000000000000000000000000000aaaa");
    }

    [Fact]
    public async Task A_signature_over_the_server_address_instead_of_the_public_url_is_forbidden()
    {
        var form = Callback("SM0000000000000000000000000000bbbb", "sent");
        var localUrl = new Uri(app.ServerAddress, "webhooks/twilio/status").ToString();

        var response = await PostAsync(form, TwilioSignature.Compute(AuthToken, localUrl, form));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private static Dictionary<string, string> Callback(string sid, string status) => new()
    {
        ["AccountSid"] = "AC0123456789abcdef0123456789abcdef",
        ["MessageSid"] = sid,
        ["SmsSid"] = sid,
        ["MessageStatus"] = status,
        ["SmsStatus"] = status,
        ["To"] = "+61412345678",
        ["From"] = "+61400000001",
        ["ApiVersion"] = "2010-04-01",
    };

    private async Task<HttpResponseMessage> PostAsync(Dictionary<string, string> form, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/twilio/status") { Content = new FormUrlEncodedContent(form) };
        if (signature is not null)
        {
            request.Headers.Add(TwilioSignature.Header, signature);
        }

        return await http.SendAsync(request);
    }

    private sealed class RecordingStatusSink : ISmsStatusSink
    {
        public ConcurrentQueue<(string Sid, string Status, string? ErrorCode)> Reports { get; } = new();

        public Task RecordStatusAsync(string messageSid, string status, string? errorCode, CancellationToken cancellationToken = default)
        {
            Reports.Enqueue((messageSid, status, errorCode));
            return Task.CompletedTask;
        }
    }
}
