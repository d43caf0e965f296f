using ClinicBlazor.Features.Notifications;

namespace ClinicBlazor.Tests.Features.Notifications;

public sealed class NotificationsOptionsTests
{
    private static List<string> Validate(Action<NotificationsOptions> change)
    {
        var options = new NotificationsOptions();
        change(options);
        var result = new NotificationsOptionsValidator().Validate(null, options);
        return result.Failures?.ToList() ?? [];
    }

    [Fact]
    public void Defaults_are_valid_and_use_the_pickup_folder() => Assert.Empty(Validate(_ => { }));

    [Theory]
    [InlineData("smtp.example.com", "None")]
    [InlineData("smtp.example.com", "Auto")]
    public void Plain_text_security_is_refused_for_a_remote_host(string host, string security)
    {
        var failure = Assert.Single(Validate(o => { o.Email.Smtp.Host = host; o.Email.Smtp.Security = security; }));
        Assert.Contains("only allowed for a loopback host", failure);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Plain_text_security_is_allowed_for_loopback(string host) =>
        Assert.Empty(Validate(o => { o.Email.Smtp.Host = host; o.Email.Smtp.Security = "None"; }));

    [Fact]
    public void Each_wrong_value_gets_its_own_sentence()
    {
        var failures = Validate(o =>
        {
            o.BatchWindowSeconds = -1;
            o.Retry.FirstDelaySeconds = 0;
            o.Email.Smtp.Host = "smtp.example.com";
            o.Email.Smtp.Security = "Tls";
            o.Email.Smtp.Username = "clinic";
            o.Email.Smtp.FromAddress = "not an address";
        });

        Assert.Equal(5, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Notifications:BatchWindowSeconds must be between 0 and 3600", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Notifications:Retry:FirstDelaySeconds", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("must be StartTls, SslOnConnect, None or Auto (it is \"Tls\")", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Notifications:Email:Smtp:Password must be set", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Notifications:Email:Smtp:FromAddress", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(9)]
    [InlineData(3601)]
    public void A_lease_outside_10_to_3600_seconds_is_refused(int seconds)
    {
        var failure = Assert.Single(Validate(o => o.LeaseSeconds = seconds));
        Assert.Equal($"Notifications:LeaseSeconds must be between 10 and 3600 seconds (it is {seconds}).", failure);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(300)]
    [InlineData(3600)]
    public void A_lease_from_10_to_3600_seconds_is_accepted(int seconds) => Assert.Empty(Validate(o => o.LeaseSeconds = seconds));

    [Fact]
    public void Backoff_doubles_from_the_first_delay_with_jitter()
    {
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var expected = 30 * Math.Pow(2, attempt - 1);
            var delay = RetrySchedule.Backoff(30, attempt).TotalSeconds;
            Assert.InRange(delay, expected * 0.8, expected * 1.2);
        }
    }
}
