using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Notifications.Sms;
using ClinicBlazor.Features.Settings;

namespace ClinicBlazor.Tests.Features.Notifications.Sms;

public sealed class SmsTextTests
{
    private static readonly DateTime Start = new(2026, 11, 24, 10, 30, 0);

    [Fact]
    public void Cancelled_reads_as_the_spec_example()
    {
        var text = SmsText.Cancelled("Clinic", "Jane", "Smith", Start, "reception", "K7P2");

        Assert.Equal("Clinic: Jane S. cancelled Tue 24 Nov 10:30. By reception. Ref K7P2", text);
    }

    [Theory]
    [InlineData(CancellerKind.Reception, "Sam Taylor", "By reception.")]
    [InlineData(CancellerKind.PatientOnline, "", "By the patient.")]
    [InlineData(CancellerKind.Staff, "Dr Tom Okafor", "By Dr Tom Okafor.")]
    [InlineData(CancellerKind.Self, "Dr Priya Sharma", "By Dr Priya Sharma.")]
    public void A_notice_SMS_is_made_from_the_notices_fields(CancellerKind kind, string name, string by)
    {
        var clinic = new Clinic { Name = "Harbourside", TimeZoneId = "Australia/Sydney" };
        var notice = new CancellationNotice
        {
            PatientFirstName = "Mary Ann",
            PatientLastName = "van der Berg",
            CancelledByKind = kind,
            CancelledByName = name,
            AppointmentStartUtc = clinic.ToUtc(Start),
        };

        Assert.Equal($"Harbourside: Mary Ann V. cancelled Tue 24 Nov 10:30. {by} Ref K7P2", SmsText.For(notice, DeliveryKind.Cancellation, clinic, "K7P2"));
        Assert.Equal("Harbourside: Reinstated: Mary Ann V. Tue 24 Nov 10:30 is back on. Ref K7P2", SmsText.For(notice, DeliveryKind.Reinstatement, clinic, "K7P2"));
    }

    [Fact]
    public void Reinstated_and_test_messages_end_with_the_reference()
    {
        Assert.Equal("Clinic: Reinstated: Jane S. Tue 24 Nov 10:30 is back on. Ref K7P2", SmsText.Reinstated("Clinic", "Jane", "Smith", Start, "K7P2"));
        Assert.EndsWith(" Ref AC34", SmsText.Test("Clinic", "AC34"), StringComparison.Ordinal);
    }

    [Fact]
    public void Long_names_are_shortened_to_one_segment_and_keep_the_reference()
    {
        var clinic = string.Concat(Enumerable.Repeat("Harbourside Physiotherapy and Sports Medicine ", 4));
        var first = string.Concat(Enumerable.Repeat("Maximiliana", 8));

        var text = SmsText.Cancelled(clinic, first, "Featherstonehaugh-Cholmondeley", Start, "the patient, online", "K7P2");

        Assert.True(Gsm7.CountSeptets(text) <= 160, $"{Gsm7.CountSeptets(text)} septets: {text}");
        Assert.EndsWith(". Ref K7P2", text, StringComparison.Ordinal);
        Assert.Contains(" F. cancelled Tue 24 Nov 10:30. By the patient, online.", text, StringComparison.Ordinal);
        Assert.StartsWith("Harbours: Maximiliana", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Extension_characters_count_two_septets_each()
    {
        Assert.Equal(8, Gsm7.CountSeptets("€[~|"));
        Assert.Equal(10, Gsm7.CountSeptets("]{}^\\"));
        Assert.Equal(3, Gsm7.CountSeptets("a@£"));
    }

    [Fact]
    public void A_text_full_of_extension_characters_still_fits_in_septets_not_characters()
    {
        var clinic = new string('€', 70) + "[Clinic]~|";

        var text = SmsText.Cancelled(clinic, "Jane", "Smith", Start, "reception", "K7P2");

        Assert.True(Gsm7.CountSeptets(text) <= 160, $"{Gsm7.CountSeptets(text)} septets: {text}");
        Assert.True(text.Length < 160);
        Assert.EndsWith(" Ref K7P2", text, StringComparison.Ordinal);
        Assert.Contains("Jane S. cancelled", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Characters_outside_GSM_7_are_replaced()
    {
        var text = SmsText.Cancelled("Zdrowie 😀 Clinic", "Łucja", "Żak", Start, "Paweł", "K7P2");

        Assert.True(Gsm7.IsGsm7(text), text);
        Assert.Equal("Zdrowie ? Clinic: Lucja Z. cancelled Tue 24 Nov 10:30. By Pawel. Ref K7P2", text);
    }

    [Theory]
    [InlineData("Joaquín", "Joaquin")]
    [InlineData("José", "José")]
    [InlineData("Renée", "Renée")]
    [InlineData("Zoë “Zee”", "Zoe \"Zee\"")]
    [InlineData("łódź", "lodz")]
    [InlineData("日本", "??")]
    [InlineData("👍🏽", "??")]
    public void Replace_transliterates_accents_and_marks_the_rest(string input, string expected)
    {
        Assert.Equal(expected, Gsm7.Replace(input));
    }

    [Fact]
    public void Counting_a_character_outside_GSM_7_is_a_bug()
    {
        Assert.Throws<ArgumentException>(() => Gsm7.CountSeptets("ł"));
    }

    [Fact]
    public void The_reference_is_read_back_from_the_end()
    {
        Assert.Equal("K7P2", SmsText.ReferenceOf("Clinic: Jane S. cancelled Tue 24 Nov 10:30. By reception. Ref K7P2"));
        Assert.Null(SmsText.ReferenceOf("No reference here"));
    }

    [Fact]
    public void References_are_four_to_six_unambiguous_characters()
    {
        var references = Enumerable.Range(0, 500).Select(_ => DeliveryReference.New()).ToList();

        Assert.All(references, r => Assert.True(DeliveryReference.IsValid(r), r));
        Assert.All(references, r => Assert.DoesNotContain(r, c => "0O1ILZ5S8B".Contains(c, StringComparison.Ordinal)));
        Assert.True(references.Distinct().Count() > 450);
        Assert.Equal(6, DeliveryReference.New(6).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => DeliveryReference.New(3));
    }

    [Fact]
    public void A_malformed_reference_is_refused()
    {
        Assert.Throws<ArgumentException>(() => SmsText.Cancelled("Clinic", "Jane", "Smith", Start, "reception", "no ref"));
    }
}
