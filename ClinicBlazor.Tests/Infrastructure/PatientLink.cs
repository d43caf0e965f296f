using ClinicBlazor.Features.Appointments;

namespace ClinicBlazor.Tests.Infrastructure;

/// <summary>What a patient does on their private booking link, over plain HTTP as a browser without script would.</summary>
public static class PatientLink
{
    /// <summary>
    /// Posts the confirmed cancellation form of the link's page (<paramref name="page"/>, as just fetched,
    /// for its antiforgery token) with the reason "Sick"; whether the app answered that it is cancelled.
    /// </summary>
    public static async Task<bool> ConfirmCancellationAsync(HttpClient http, string token, string page)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "cancel-booking",
            ["__RequestVerificationToken"] = SignInClient.AntiforgeryToken(page),
            ["Input.Reason"] = nameof(CancellationReason.Sick),
            ["Input.Confirmed"] = "true",
        });
        using var response = await http.PostAsync(new Uri($"booking/{token}", UriKind.Relative), form);
        var answer = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode && answer.Contains("Your appointment is cancelled", StringComparison.Ordinal);
    }
}
