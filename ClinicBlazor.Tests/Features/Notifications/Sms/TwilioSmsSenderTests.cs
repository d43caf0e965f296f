using System.Security.Cryptography;
using ClinicBlazor.Features.Notifications.Sms;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Tests.Features.Notifications.Sms;

public sealed class TwilioSmsSenderTests(TwilioStandIn twilio) : IClassFixture<TwilioStandIn>
{
    private const string Body = "Harbourside: Jane S. cancelled Tue 24 Nov 10:30. By reception. Ref K7P2";

    /// <summary>Times here are read on the stand-in's clock, the one its log's <c>date_created</c> comes from.</summary>
    private DateTime TwilioNow => twilio.Clock.GetUtcNow().UtcDateTime;

    [Fact]
    public async Task Send_accepted_posts_Twilios_form_with_basic_auth_and_returns_the_sid()
    {
        await using var host = SmsTestHost.Create(SmsTestHost.TwilioSettings(twilio));
        var to = NewNumber();

        var result = await host.Sender.SendAsync(new SmsMessage(to, Body, 600));

        var accepted = Assert.IsType<SmsAccepted>(result);
        Assert.StartsWith("SM", accepted.Sid, StringComparison.Ordinal);
        Assert.Equal("queued", accepted.Status);
        var post = Assert.Single(twilio.MessagePosts, r => r.Form.GetValueOrDefault("To") == to);
        Assert.Equal($"/2010-04-01/Accounts/{TwilioStandIn.AccountSid}/Messages.json", post.Path);
        Assert.Equal(TwilioStandIn.AccountSid, post.BasicUser);
        Assert.Equal(TwilioStandIn.AuthToken, post.BasicPassword);
        Assert.StartsWith("application/x-www-form-urlencoded", post.ContentType, StringComparison.Ordinal);
        Assert.Equal(TwilioStandIn.From, post.Form["From"]);
        Assert.Equal(Body, post.Form["Body"]);
        Assert.Equal("600", post.Form["ValidityPeriod"]);
        Assert.Equal("https://clinic.example.org/webhooks/twilio/status", post.Form["StatusCallback"]);
        Assert.False(post.Form.ContainsKey("MessagingServiceSid"));
        Assert.Equal(accepted.Sid, Assert.Single(twilio.Messages, m => m.To == to).Sid);
    }

    [Fact]
    public async Task Send_through_a_messaging_service_sends_MessagingServiceSid_instead_of_From()
    {
        var settings = SmsTestHost.TwilioSettings(twilio);
        settings["Notifications:Sms:Twilio:From"] = null;
        settings["Notifications:Sms:Twilio:MessagingServiceSid"] = "MG0123456789abcdef0123456789abcdef";
        await using var host = SmsTestHost.Create(settings);
        var to = NewNumber();

        Assert.IsType<SmsAccepted>(await host.Sender.SendAsync(new SmsMessage(to, Body)));

        var post = Assert.Single(twilio.MessagePosts, r => r.Form.GetValueOrDefault("To") == to);
        Assert.Equal("MG0123456789abcdef0123456789abcdef", post.Form["MessagingServiceSid"]);
        Assert.False(post.Form.ContainsKey("From"));
        Assert.False(post.Form.ContainsKey("ValidityPeriod"));
    }

    [Fact]
    public async Task Api_key_only_authenticates_with_the_key_and_asks_for_no_status_callback()
    {
        var settings = SmsTestHost.TwilioSettings(twilio);
        settings["Notifications:Sms:Twilio:AuthToken"] = null;
        settings["Notifications:Sms:Twilio:ApiKeySid"] = TwilioStandIn.ApiKeySid;
        settings["Notifications:Sms:Twilio:ApiKeySecret"] = TwilioStandIn.ApiKeySecret;
        await using var host = SmsTestHost.Create(settings);
        var to = NewNumber();

        Assert.False(host.Sender.SendsStatusCallbacks);
        Assert.IsType<SmsAccepted>(await host.Sender.SendAsync(new SmsMessage(to, Body, 60)));

        var post = Assert.Single(twilio.MessagePosts, r => r.Form.GetValueOrDefault("To") == to);
        Assert.Equal(TwilioStandIn.ApiKeySid, post.BasicUser);
        Assert.Equal(TwilioStandIn.ApiKeySecret, post.BasicPassword);
        Assert.False(post.Form.ContainsKey("StatusCallback"));
        Assert.Contains($"/Accounts/{TwilioStandIn.AccountSid}/", post.Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validity_period_is_capped_at_Twilios_36000_seconds()
    {
        await using var host = SmsTestHost.Create(SmsTestHost.TwilioSettings(twilio));
        var to = NewNumber();

        Assert.IsType<SmsAccepted>(await host.Sender.SendAsync(new SmsMessage(to, Body, 90_000)));

        Assert.Equal("36000", Assert.Single(twilio.MessagePosts, r => r.Form.GetValueOrDefault("To") == to).Form["ValidityPeriod"]);
    }

    [Fact]
    public async Task Too_many_requests_is_transient_with_Twilios_retry_after()
    {
        await using var host = SmsTestHost.Create(SmsTestHost.TwilioSettings(twilio));
        twilio.Enqueue(StandInReply.TooManyRequests(retryAfterSeconds: 7));

        var transient = Assert.IsType<SmsTransientFailure>(await host.Sender.SendAsync(new SmsMessage(NewNumber(), Body)));

        Assert.Equal(TimeSpan.FromSeconds(7), transient.RetryAfter);
        Assert.Contains("429", transient.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Code_20429_is_transient_whatever_the_HTTP_status()
    {
        await using var host = SmsTestHost.Create(SmsTestHost.TwilioSettings(twilio));
        twilio.Enqueue(StandInReply.Refused(400, 20429, "Too Many Requests"));

        Assert.IsType<SmsTransientFailure>(await host.Sender.SendAsync(new SmsMessage(NewNumber(), Body)));
    }

    [Fact]
    public async Task Service_unavailable_is_transient_and_nothing_was_kept()
    {
        await using var host = SmsTestHost.Create(SmsTestHost.TwilioSettings(twilio));
        var to = NewNumber();
        twilio.Enqueue(StandInReply.ServiceUnavailable());

        Assert.IsType<SmsTransientFailure>(await host.Sender.SendAsync(new SmsMessage(to, Body)));
        Assert.Empty(await host.Sender.ListRecentToAsync(to));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task Server_errors_are_ambiguous(int status)
    {
        await using var host = SmsTestHost.Create(SmsTestHost.TwilioSettings(twilio));
        twilio.Enqueue(StandInReply.ServerError(status));

        var ambiguous = Assert.IsType<SmsAmbiguous>(await host.Sender.SendAsync(new SmsMessage(NewNumber(), Body)));

        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), ambiguous.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(21211)]
    [InlineData(21614)]
    [InlineData(21610)]
    [InlineData(21612)]
    public async Task Number_errors_are_number_problems_with_their_code(int code)
    {
        await using var host = SmsTestHost.Create(SmsTestHost.TwilioSettings(twilio));
        twilio.Enqueue(StandInReply.NumberError(code, $"number problem {code}"));

        var problem = Assert.IsType<SmsNumberProblem>(await host.Sender.SendAsync(new SmsMessage(NewNumber(), Body)));

        Assert.Equal(code, problem.Code);
        Assert.Equal($"number problem {code}", problem.Message);
        Assert.Equal(code == 21610, problem.RecipientOptedOut);
    }

    [Fact]
    public async Task A_number_Twilio_finds_invalid_is_a_number_problem()
    {
        await using var host = SmsTestHost.Create(SmsTestHost.TwilioSettings(twilio));

        var problem = Assert.IsType<SmsNumberProblem>(await host.Sender.SendAsync(new SmsMessage("0412 345 678", Body)));

        Assert.Equal(21211, problem.Code);
    }

    [Theory]
    [InlineData(20003, 401)]
    [InlineData(21606, 400)]
    [InlineData(21408, 400)]
    public async Task Account_errors_are_account_problems(int code, int status)
    {
        await using var host = SmsTestHost.Create(SmsTestHost.TwilioSettings(twilio));
        twilio.Enqueue(StandInReply.AccountError(code, status, $"account problem {code}"));

        var problem = Assert.IsType<SmsAccountProblem>(await host.Sender.SendAsync(new SmsMessage(NewNumber(), Body)));

        Assert.Equal(code, problem.Code);
    }

    [Fact]
    public async Task A_wrong_auth_token_is_refused_by_Twilio_as_an_account_problem()
    {
        var settings = SmsTestHost.TwilioSettings(twilio);
        settings["Notifications:Sms:Twilio:AuthToken"] = "not-the-token";
        await using var host = SmsTestHost.Create(settings);

        var problem = Assert.IsType<SmsAccountProblem>(await host.Sender.SendAsync(new SmsMessage(NewNumber(), Body)));

        Assert.Equal(20003, problem.Code);
    }

    [Fact]
    public async Task Another_client_error_is_permanent()
    {
        await using var host = SmsTestHost.Create(SmsTestHost.TwilioSettings(twilio));
        twilio.Enqueue(StandInReply.Refused(400, 21617, "The concatenated message body exceeds the 1600 character limit."));

        var failure = Assert.IsType<SmsPermanentFailure>(await host.Sender.SendAsync(new SmsMessage(NewNumber(), Body)));

        Assert.Equal(21617, failure.Code);
    }

    [Fact]
    public async Task Timeout_after_Twilio_received_it_is_ambiguous_and_reconciliation_finds_the_queued_message()
    {
        await using var host = SmsTestHost.Create(SmsTestHost.TwilioSettings(twilio, timeoutSeconds: 1));
        var to = NewNumber();
        twilio.Enqueue(StandInReply.AcceptAfter(TimeSpan.FromSeconds(4)));
        var started = TwilioNow;

        Assert.IsType<SmsAmbiguous>(await host.Sender.SendAsync(new SmsMessage(to, Body)));

        // The log is read with the default timeout: on a loaded machine a 1 s one also cuts the log short.
        await using var reconciler = SmsTestHost.Create(SmsTestHost.TwilioSettings(twilio));
        var log = await reconciler.Sender.ListRecentToAsync(to);
        var found = SmsReconciliation.FindMatch(log, Body, started);
        Assert.NotNull(found);
        Assert.Equal("queued", found.Status);
        Assert.Null(found.DateSentUtc);
        Assert.Equal(Assert.Single(twilio.Messages, m => m.To == to).Sid, found.Sid);
        Assert.Single(twilio.MessagePosts, r => r.Form.GetValueOrDefault("To") == to);
    }

    [Fact]
    public async Task Connection_refused_before_sending_is_transient()
    {
        var settings = SmsTestHost.TwilioSettings(twilio);
        settings["Notifications:Sms:Twilio:BaseUrl"] = $"http://127.0.0.1:{FreePort.Next()}";
        await using var host = SmsTestHost.Create(settings);

        Assert.IsType<SmsTransientFailure>(await host.Sender.SendAsync(new SmsMessage(NewNumber(), Body)));
    }

    [Fact]
    public async Task A_connection_that_cannot_be_made_in_time_is_transient_not_ambiguous()
    {
        // A listener whose accept queue is full and never accepted: Linux drops further SYNs, so a
        // new connection hangs the way an unreachable host does.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start(1);
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var fillers = new List<System.Net.Sockets.TcpClient>();
        for (var i = 0; i < 4; i++)
        {
            var filler = new System.Net.Sockets.TcpClient();
            _ = filler.ConnectAsync(System.Net.IPAddress.Loopback, port);
            fillers.Add(filler);
        }

        await Task.Delay(200);
        var settings = SmsTestHost.TwilioSettings(twilio, timeoutSeconds: 4);
        settings["Notifications:Sms:Twilio:BaseUrl"] = $"http://127.0.0.1:{port}";
        await using var host = SmsTestHost.Create(settings);

        var result = await host.Sender.SendAsync(new SmsMessage(NewNumber(), Body));

        fillers.ForEach(f => f.Dispose());
        Assert.IsType<SmsTransientFailure>(result);
    }

    [Fact]
    public async Task Server_error_that_kept_the_message_is_found_among_older_and_other_deliveries_messages()
    {
        await using var host = SmsTestHost.Create(SmsTestHost.TwilioSettings(twilio));
        var to = NewNumber();
        var older = twilio.AddToLog(to, Body, TwilioNow.AddHours(-3));
        var otherDelivery = twilio.AddToLog(to, Body.Replace("Ref K7P2", "Ref M3QX", StringComparison.Ordinal), TwilioNow);
        twilio.Enqueue(StandInReply.ServerError(500, kept: true));
        var started = TwilioNow;

        Assert.IsType<SmsAmbiguous>(await host.Sender.SendAsync(new SmsMessage(to, Body)));
        var log = await host.Sender.ListRecentToAsync(to);

        Assert.Equal(3, log.Count);
        var found = SmsReconciliation.FindMatch(log, Body, started);
        Assert.NotNull(found);
        Assert.NotEqual(older.Sid, found.Sid);
        Assert.NotEqual(otherDelivery.Sid, found.Sid);
        Assert.Equal(twilio.Messages.Single(m => m.To == to && m.Status == "queued").Sid, found.Sid);
    }

    [Fact]
    public async Task Server_error_that_did_not_keep_the_message_is_not_found()
    {
        await using var host = SmsTestHost.Create(SmsTestHost.TwilioSettings(twilio));
        var to = NewNumber();
        twilio.AddToLog(to, Body, TwilioNow.AddHours(-3));
        twilio.Enqueue(StandInReply.ServerError(500, kept: false));
        var started = TwilioNow;

        Assert.IsType<SmsAmbiguous>(await host.Sender.SendAsync(new SmsMessage(to, Body)));

        Assert.Null(SmsReconciliation.FindMatch(await host.Sender.ListRecentToAsync(to), Body, started));
    }

    [Fact]
    public async Task List_asks_Twilio_for_the_newest_fifty_to_the_number_and_parses_dates()
    {
        await using var host = SmsTestHost.Create(SmsTestHost.TwilioSettings(twilio));
        var to = NewNumber();
        var created = new DateTime(2026, 11, 24, 10, 2, 3, DateTimeKind.Utc);
        var delivered = twilio.AddToLog(to, "Ref ABCD first", created);

        var entry = Assert.Single(await host.Sender.ListRecentToAsync(to));

        Assert.Equal(delivered.Sid, entry.Sid);
        Assert.Equal(to, entry.To);
        Assert.Equal("delivered", entry.Status);
        Assert.Equal(created, entry.DateCreatedUtc);
        Assert.Equal(DateTimeKind.Utc, entry.DateCreatedUtc.Kind);
        Assert.Equal(created, entry.DateSentUtc);
        var get = twilio.Requests.Last(r => r.Method == "GET");
        Assert.Equal($"?To={Uri.EscapeDataString(to)}&PageSize=50", get.Query);
        Assert.Equal(TwilioStandIn.AccountSid, get.BasicUser);
    }

    [Fact]
    public async Task The_http_client_has_the_configured_timeout_and_no_retry()
    {
        await using var host = SmsTestHost.Create(SmsTestHost.TwilioSettings(twilio, timeoutSeconds: 7));
        var to = NewNumber();
        twilio.Enqueue(StandInReply.ServiceUnavailable());

        Assert.IsType<SmsTransientFailure>(await host.Sender.SendAsync(new SmsMessage(to, Body)));

        Assert.Single(twilio.MessagePosts, r => r.Form.GetValueOrDefault("To") == to);
        Assert.IsType<TwilioSmsSender>(host.Sender);
        Assert.Equal(7, host.Services.GetRequiredService<IOptions<SmsOptions>>().Value.Twilio.TimeoutSeconds);
    }

    private static string NewNumber() => "+614" + RandomNumberGenerator.GetInt32(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
