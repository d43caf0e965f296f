using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Notifications.Sms;

/// <summary>
/// Development stand-in for Twilio when no account is configured: each SMS becomes a JSON file in
/// <c>Notifications:Sms:DevSinkDirectory</c>, accepted at once, so the whole feature (credits
/// included) works on first run. The files hold patient data in clear; start-up warns outside Development.
/// </summary>
public sealed class DevSinkSmsSender(IOptions<SmsOptions> options, IHostEnvironment environment, TimeProvider clock) : ISmsSender
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string Directory { get; } = Path.GetFullPath(options.Value.DevSinkDirectory, environment.ContentRootPath);

    public bool SendsStatusCallbacks => false;

    public async Task<SmsSendResult> SendAsync(SmsMessage message, CancellationToken cancellationToken = default)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var now = clock.GetUtcNow().UtcDateTime;
        var sid = "SMdev" + RandomNumberGenerator.GetHexString(29, lowercase: true);
        var entry = new SmsLogEntry(sid, message.ToE164, message.Body, "sent", now, now);
        var path = Path.Combine(Directory, $"{now.ToString("yyyyMMdd-HHmmssfff", CultureInfo.InvariantCulture)}-{sid}.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(entry, Json), cancellationToken);
        return new SmsAccepted(sid, entry.Status);
    }

    public async Task<IReadOnlyList<SmsLogEntry>> ListRecentToAsync(string toE164, CancellationToken cancellationToken = default)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var entries = new List<SmsLogEntry>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
        {
            try
            {
                var entry = JsonSerializer.Deserialize<SmsLogEntry>(await File.ReadAllTextAsync(file, cancellationToken));
                if (entry is not null && entry.To == toE164)
                {
                    entries.Add(entry);
                }
            }
            catch (Exception exception) when (exception is JsonException or IOException)
            {
                // Someone's hand-edited or half-written file is not a message: skip it.
            }
        }

        return entries.OrderByDescending(e => e.DateCreatedUtc).Take(50).ToList();
    }
}
