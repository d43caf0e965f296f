using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Features.Notifications;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.SmsCredits;

/// <summary>
/// The low-balance alert end to end: SMS notices charged by the dispatcher (development sink), the
/// alert queued in the charging transaction and sent through the outbox to a real SMTP server.
/// </summary>
public sealed class LowBalanceAlertTests(MaildevServer maildev) : IClassFixture<MaildevServer>, IAsyncLifetime
{
    private const string Subject = "SMS credits are low";
    private readonly ClinicAppFactory app = NoticeTestKit.NewApp(maildev, batchWindowSeconds: 0);
    private int slot;

    private static string Owner => DemoSignIns.Admin.Email;
    private static string Alex => DemoSignIns.SecondReceptionist.Email;
    private static string Sam => DemoSignIns.Receptionist.Email;

    public async Task InitializeAsync()
    {
        await maildev.ClearAsync();
        _ = app.ServerAddress;
        await app.SetNoticesAsync(DemoSignIns.Practitioner.Email, NotificationMethod.Sms, mobile: "+61412345678");

        // Two active admins, and one who has left (an admin, deactivated).
        await using var owner = await app.ScopeForAsync(Owner);
        var staff = owner.ServiceProvider.GetRequiredService<StaffService>();
        var alex = await UserIdAsync(Alex);
        var sam = await UserIdAsync(Sam);
        Assert.True((await staff.SetRolesAsync(alex, new HashSet<string> { Roles.Receptionist, Roles.Admin })).Succeeded);
        Assert.True((await staff.SetRolesAsync(sam, new HashSet<string> { Roles.Receptionist, Roles.Admin })).Succeeded);
        Assert.True((await staff.DeactivateAsync(sam)).Succeeded);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Each_active_admin_gets_one_email_per_crossing_through_the_outbox()
    {
        await using var owner = await app.ScopeForAsync(Owner);
        var credits = owner.ServiceProvider.GetRequiredService<SmsCreditService>();
        Assert.True((await credits.SetLowBalanceThresholdAsync(49)).Succeeded);
        Assert.Equal(50, (await credits.GetSummaryAsync()).Balance);

        // 50 → 49: not below 49 yet.
        await SendOneSmsAsync();
        Assert.Empty(await AlertsAtMaildevAsync());

        // 49 → 48: crossed. One email to each active admin, none to the one who left.
        await SendOneSmsAsync();
        var first = await AlertsAtMaildevAsync();
        Assert.Equal([Alex, Owner], first.Select(e => e.ToAddress).Order(StringComparer.Ordinal));
        var email = first.Single(e => e.ToAddress == Owner);
        Assert.Equal($"{Subject}: 48 left", email.Subject);
        Assert.Contains("48 SMS credits left, below the low-balance threshold of 49", email.Text, StringComparison.Ordinal);
        Assert.Contains("/sms-credits", email.Text, StringComparison.Ordinal);

        var outbox = (await owner.ServiceProvider.GetRequiredService<NoticeHistory>().GetOutgoingMessagesAsync(new OutboxFilter()))
            .Where(m => m.Kind == LowBalanceEmailAlert.Kind).ToList();
        Assert.Equal([Alex, Owner], outbox.Select(m => m.To).Order(StringComparer.Ordinal));
        Assert.All(outbox, m => Assert.Equal(OutboxMessageState.Sent, m.State));
        Assert.All(outbox, m => Assert.Equal($"{Subject}: 48 left", m.Subject));

        // 48 → 47: still below, no second email.
        await SendOneSmsAsync();
        Assert.Equal(2, (await AlertsAtMaildevAsync()).Count);

        // Topped up above the threshold (47 → 50), then crossed again (50 → 49 → 48): alerted again, once.
        Assert.True((await credits.TopUpAsync(3, "back up")).Succeeded);
        await SendOneSmsAsync();
        Assert.Equal(2, (await AlertsAtMaildevAsync()).Count);
        await SendOneSmsAsync();
        var all = await AlertsAtMaildevAsync();
        Assert.Equal(4, all.Count);
        Assert.Equal(4, all.Count(e => e.Subject == $"{Subject}: 48 left"));
        Assert.Equal([Alex, Alex, Owner, Owner], all.Select(e => e.ToAddress).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(all, e => e.ToAddress == Sam);
    }

    /// <summary>One cancellation for Priya (on SMS), delivered by the dispatcher: one credit charged.</summary>
    private async Task SendOneSmsAsync()
    {
        var appointment = await app.AddAppointmentAsync(DemoSignIns.Practitioner.Email, NoticeTestKit.NightSlot.AddHours(slot++));
        await app.CancelAsAsync(Alex, appointment.Id);
        await app.DispatchAsync();
        var sms = (await app.NoticeForAsync(appointment.Id)).Deliveries.Single(d => d.Channel == NoticeChannel.Sms);
        Assert.Equal(DeliveryState.Sent, sms.State);
    }

    private async Task<string> UserIdAsync(string email)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
    }

    private async Task<List<ReceivedEmail>> AlertsAtMaildevAsync() =>
        (await maildev.GetEmailsAsync()).Where(e => e.Subject.StartsWith(Subject, StringComparison.Ordinal)).ToList();
}
