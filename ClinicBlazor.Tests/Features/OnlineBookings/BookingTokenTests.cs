using ClinicBlazor.Features.OnlineBookings;

namespace ClinicBlazor.Tests.Features.OnlineBookings;

public sealed class BookingTokenTests
{
    [Fact]
    public void Token_is_at_least_22_url_safe_characters_and_different_every_time()
    {
        var tokens = Enumerable.Range(0, 1000).Select(_ => BookingToken.Create().Token).ToList();

        Assert.All(tokens, token =>
        {
            Assert.True(token.Length >= 22, token);
            Assert.Matches("^[A-Za-z0-9_-]+$", token);
        });
        Assert.Equal(tokens.Count, tokens.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void The_hash_of_a_links_token_is_the_stored_hash()
    {
        var (token, hash) = BookingToken.Create();

        Assert.Equal(hash, BookingToken.HashOf(token));
        Assert.Equal(32, hash.Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("!!!!!!!!!!!!!!!!!!!!!!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Text_that_cannot_be_a_token_has_no_hash(string? text)
    {
        Assert.Null(BookingToken.HashOf(text));
    }
}
