using System.Text.Json;
using ClinicBlazor.Features.Notifications.Sms;

namespace ClinicBlazor.Tests.Features.Notifications.Sms;

public sealed class TwilioSignatureTests
{
    public static TheoryData<int> VectorIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Vectors().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Fact]
    public void The_vector_file_holds_vectors()
    {
        Assert.True(Vectors().Count >= 3);
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void Every_vector_from_Twilios_library_verifies(int index)
    {
        var vector = Vectors()[index];

        Assert.Equal(vector.Signature, TwilioSignature.Compute(vector.AuthToken, vector.Url, vector.Params));
        Assert.True(TwilioSignature.IsValid(vector.AuthToken, vector.Url, vector.Params, vector.Signature));
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void A_changed_parameter_fails(int index)
    {
        var vector = Vectors()[index];
        var changed = vector.Params.ToDictionary(p => p.Key, p => p.Value);
        var first = changed.Keys.First();
        changed[first] += "1";

        Assert.False(TwilioSignature.IsValid(vector.AuthToken, vector.Url, changed, vector.Signature));
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void An_added_parameter_fails(int index)
    {
        var vector = Vectors()[index];
        var added = vector.Params.Append(new("Extra", "1"));

        Assert.False(TwilioSignature.IsValid(vector.AuthToken, vector.Url, added, vector.Signature));
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void A_changed_url_fails(int index)
    {
        var vector = Vectors()[index];

        Assert.False(TwilioSignature.IsValid(vector.AuthToken, vector.Url + "x", vector.Params, vector.Signature));
        Assert.False(TwilioSignature.IsValid(vector.AuthToken, vector.Url.Replace("https://", "http://", StringComparison.Ordinal), vector.Params, vector.Signature));
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void A_changed_token_fails(int index)
    {
        var vector = Vectors()[index];

        Assert.False(TwilioSignature.IsValid(vector.AuthToken + "x", vector.Url, vector.Params, vector.Signature));
    }

    [Fact]
    public void A_missing_signature_or_token_fails()
    {
        var vector = Vectors()[0];

        Assert.False(TwilioSignature.IsValid(vector.AuthToken, vector.Url, vector.Params, null));
        Assert.False(TwilioSignature.IsValid("", vector.Url, vector.Params, vector.Signature));
    }

    internal sealed record Vector(string AuthToken, string Url, Dictionary<string, string> Params, string Signature);

    private sealed record VectorFile(List<Vector> Vectors);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static List<Vector> Vectors()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Features", "Notifications", "Sms", "twilio-signature-vectors.json");
        return JsonSerializer.Deserialize<VectorFile>(File.ReadAllText(path), Json)!.Vectors;
    }
}
