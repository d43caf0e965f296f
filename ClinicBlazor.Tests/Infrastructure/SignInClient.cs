using System.Net;
using System.Text.RegularExpressions;

namespace ClinicBlazor.Tests.Infrastructure;

/// <summary>A plain HTTP client with its own cookies that signs in through the real sign-in form.</summary>
public sealed partial class SignInClient : IDisposable
{
    private readonly HttpClient http;

    public SignInClient(Uri baseAddress)
    {
        Handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        http = new HttpClient(Handler) { BaseAddress = baseAddress };
    }

    public HttpClientHandler Handler { get; }

    public HttpClient Http => http;

    /// <summary>Posts the sign-in form (with its antiforgery token) and returns the response, not following redirects.</summary>
    public async Task<HttpResponseMessage> SignInAsync(string email, string password)
    {
        var form = await http.GetStringAsync("/Account/Login");
        var token = AntiforgeryToken(form);
        return await http.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }

    public static string AntiforgeryToken(string html)
    {
        var match = TokenPattern().Match(html);
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException("No antiforgery token on the page.");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    public void Dispose()
    {
        http.Dispose();
        Handler.Dispose();
    }
}
