using ClinicBlazor.Features.Notifications.Sms;

namespace ClinicBlazor.Tests.Features.Notifications.Sms;

public sealed class SmsReconciliationTests
{
    private const string Body = "Harbourside: Jane S. cancelled Tue 24 Nov 10:30. By reception. Ref K7P2";
    private static readonly DateTime Started = new(2026, 11, 24, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Same_body_created_after_the_attempt_began_matches()
    {
        var entry = Entry("SM1", Body, Started.AddSeconds(2));

        Assert.Same(entry, SmsReconciliation.FindMatch([Entry("SM0", "other", Started), entry], Body, Started));
    }

    [Fact]
    public void Created_within_five_minutes_before_the_attempt_matches_for_clock_skew()
    {
        var entry = Entry("SM1", Body, Started.AddMinutes(-4).AddSeconds(-59));

        Assert.Same(entry, SmsReconciliation.FindMatch([entry], Body, Started));
    }

    [Fact]
    public void Created_more_than_five_minutes_before_the_attempt_does_not_match()
    {
        Assert.Null(SmsReconciliation.FindMatch([Entry("SM1", Body, Started.AddMinutes(-5).AddSeconds(-1))], Body, Started));
    }

    [Fact]
    public void Another_deliverys_reference_does_not_match()
    {
        var other = Body.Replace("Ref K7P2", "Ref K7P3", StringComparison.Ordinal);

        Assert.Null(SmsReconciliation.FindMatch([Entry("SM1", other, Started.AddSeconds(1))], Body, Started));
    }

    [Fact]
    public void Same_reference_with_a_body_the_provider_re_encoded_matches()
    {
        var reencoded = Body.Replace("Jane", "Jáne", StringComparison.Ordinal);
        var entry = Entry("SM1", reencoded, Started.AddSeconds(1));

        Assert.Same(entry, SmsReconciliation.FindMatch([entry], Body, Started));
    }

    [Fact]
    public void With_two_matches_the_first_created_is_taken()
    {
        var first = Entry("SM1", Body, Started.AddSeconds(1));
        var second = Entry("SM2", Body, Started.AddSeconds(30));

        Assert.Same(first, SmsReconciliation.FindMatch([second, first], Body, Started));
    }

    [Theory]
    [InlineData("Tue, 24 Nov 2026 10:02:03 +0000", "2026-11-24T10:02:03Z")]
    [InlineData("Tue, 24 Nov 2026 21:02:03 +1100", "2026-11-24T10:02:03Z")]
    [InlineData("Wed, 2 Dec 2026 09:00:00 +0000", "2026-12-02T09:00:00Z")]
    public void Twilio_dates_parse_to_UTC(string value, string expected)
    {
        var parsed = TwilioSmsSender.ParseTwilioDate(value);

        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal), parsed);
        Assert.Equal(DateTimeKind.Utc, parsed!.Value.Kind);
    }

    [Fact]
    public void A_missing_Twilio_date_is_null()
    {
        Assert.Null(TwilioSmsSender.ParseTwilioDate(null));
    }

    private static SmsLogEntry Entry(string sid, string body, DateTime created) => new(sid, "+61412345678", body, "queued", created, null);
}
