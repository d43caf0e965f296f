using ClinicBlazor.Features.Notifications.Sms;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Notifications.Sms;

public sealed class DevSinkSmsSenderTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "clinicblazor-sms-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Each_SMS_becomes_a_file_and_the_list_reads_them_back()
    {
        await using var host = SmsTestHost.Create(new Dictionary<string, string?> { ["Notifications:Sms:DevSinkDirectory"] = directory });
        var sender = host.Sender;
        const string body = "Clinic: Jane S. cancelled Tue 24 Nov 10:30. By reception. Ref K7P2";
        var started = host.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;

        var accepted = Assert.IsType<SmsAccepted>(await sender.SendAsync(new SmsMessage("+61412345678", body, 600)));
        await sender.SendAsync(new SmsMessage("+61499999999", "Other. Ref AAAA"));

        Assert.StartsWith("SMdev", accepted.Sid, StringComparison.Ordinal);
        Assert.Equal(34, accepted.Sid.Length);
        Assert.Equal(2, Directory.GetFiles(directory, "*.json").Length);
        Assert.Contains(body, await File.ReadAllTextAsync(Directory.GetFiles(directory, $"*{accepted.Sid}.json").Single()), StringComparison.Ordinal);
        var log = await sender.ListRecentToAsync("+61412345678");
        Assert.Equal(accepted.Sid, Assert.Single(log).Sid);
        Assert.Equal(accepted.Sid, SmsReconciliation.FindMatch(log, body, started)?.Sid);
        Assert.False(sender.SendsStatusCallbacks);
    }

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
