using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Features.Notifications;
using ClinicBlazor.Tests.Features.Notifications.Sms;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.SmsCredits;

/// <summary>The SMS credits page's service: the threshold as typed is checked here, and the ledger says whom a charge was for.</summary>
public sealed class SmsCreditsFrontDeskTests : IAsyncLifetime
{
    private readonly TwilioStandIn twilio = new();
    private ClinicAppFactory app = null!;

    public async Task InitializeAsync()
    {
        await twilio.InitializeAsync();
        app = NoticeTestKit.NewApp(batchWindowSeconds: 0).WithTwilio(twilio);
        _ = app.ServerAddress;
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await twilio.DisposeAsync();
    }

    [Fact]
    public async Task A_threshold_that_is_not_a_whole_number_from_0_to_100000_is_refused_at_the_field_and_nothing_is_saved()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var credits = scope.ServiceProvider.GetRequiredService<SmsCreditService>();
        var before = (await credits.GetSummaryAsync()).LowBalanceThreshold;

        foreach (var bad in new[] { "abc", "", "   ", null, "-1", "99999999", "2.5" })
        {
            var refused = await credits.SetLowBalanceThresholdAsync(bad);
            Assert.False(refused.Succeeded, bad);
            Assert.Equal((SmsCreditService.ThresholdError, SmsCreditService.ThresholdField), (refused.Error, refused.Field));
            Assert.Equal(before, (await credits.GetSummaryAsync()).LowBalanceThreshold);
        }

        Assert.Equal(1200, (await credits.SetLowBalanceThresholdAsync(" 1,200 ")).Value);
        Assert.Equal(1200, (await credits.GetSummaryAsync()).LowBalanceThreshold);
        Assert.Equal(0, (await credits.SetLowBalanceThresholdAsync("0")).Value);
    }

    [Fact]
    public async Task The_ledger_names_the_practitioner_and_the_appointment_a_charge_was_for()
    {
        var priya = DemoSignIns.Practitioner;
        await app.SetNoticesAsync(priya.Email, NotificationMethod.Sms, mobile: "+61412345678");
        await app.SetSmsBalanceAsync(10);
        var appointment = await app.AddAppointmentAsync(priya.Email, NoticeTestKit.NightSlot);
        string patient;
        await using (var db = await app.CreateDbContextAsync())
        {
            patient = await db.Set<ClinicBlazor.Features.Patients.Patient>().Where(p => p.Id == appointment.PatientId).Select(p => p.FirstName + " " + p.LastName).SingleAsync();
        }

        Assert.True((await app.CancelAsAsync(DemoSignIns.Receptionist.Email, appointment.Id)).Succeeded);
        await app.DispatchAsync();
        await app.WaitForNoticeAsync(appointment.Id, n => n.Deliveries.Any(d => d.Channel == NoticeChannel.Sms && d.State == DeliveryState.Sent));

        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var ledger = await scope.ServiceProvider.GetRequiredService<SmsCreditService>().GetLedgerAsync(new SmsLedgerFilter(Kind: SmsCreditKind.Charge));

        // Thursday 26 November, 02:00 in Sydney (the clinic's 24-hour times).
        var charge = Assert.Single(ledger);
        Assert.Equal($"SMS to {priya.DisplayName} · {patient}, Thu 26 Nov 02:00", charge.ActorName);
    }
}
