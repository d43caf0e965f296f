using Bunit;
using ClinicBlazor.Features.Calendar;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace ClinicBlazor.Tests.Features.Notifications;

/// <summary>The cancel dialog says what happens to the practitioner's notice before anyone confirms.</summary>
public sealed class CancellationPreviewTests
{
    private static readonly NoticeDecision Notifies = new((string?)null);

    public static TheoryData<string, NoticeOutlook, string> Cases => new()
    {
        { "email", Outlook(Notifies, NotificationMethod.Email), "Priya will be emailed." },
        { "sms", Outlook(Notifies, NotificationMethod.Sms), "Priya will be sent an SMS (1 credit)." },
        { "both", Outlook(Notifies, NotificationMethod.SmsAndEmail), "Priya will be emailed and sent an SMS (1 credit)." },
        { "sms, no credits", Outlook(Notifies, NotificationMethod.Sms, credits: false), "Priya will be emailed instead: no SMS credits left." },
        { "sms, paused", Outlook(Notifies, NotificationMethod.Sms, paused: true), "Priya will be emailed: their mobile number is paused." },
        { "both, no credits", Outlook(Notifies, NotificationMethod.SmsAndEmail, credits: false), "Priya will be emailed: no SMS credits left." },
        { "sms, no credits, no email", Outlook(Notifies, NotificationMethod.Sms, credits: false, email: false), "Priya won't be told: no SMS credits left." },
        { "own appointment", Outlook(new(NoticePolicy.CancelledByYou), NotificationMethod.Email), "Priya won't be told: you are cancelling your own appointment." },
        { "outside window", Outlook(new(NoticePolicy.OutsideWindow(3)), NotificationMethod.Email, days: 3), "Priya won't be told: outside their 3-day window." },
        { "off", Outlook(new(NoticePolicy.NotificationsOff), NotificationMethod.Off), "Priya won't be told: they have cancellation notifications off." },
        { "started", Outlook(new(NoticePolicy.AlreadyStarted), NotificationMethod.Sms), "Priya won't be told: the appointment has already started." },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_cancel_dialog_states_the_notice_before_confirming(string situation, NoticeOutlook outlook, string expected)
    {
        await using var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Render<MudPopoverProvider>();
        var provider = context.Render<MudDialogProvider>();
        var parameters = new DialogParameters<CancelAppointmentDialog>
        {
            { d => d.Summary, "Jane Smith · Tue 24 Nov 10:30 with Priya Patel" },
            { d => d.NoticeOutlook, CancellationPreview.Describe(outlook) },
        };
        await provider.InvokeAsync(() => context.Services.GetRequiredService<IDialogService>().ShowAsync<CancelAppointmentDialog>("Cancel appointment", parameters));

        Assert.True(expected == provider.Find("[data-testid='cancel-notice']").TextContent.Trim(), situation);
    }

    [Fact]
    public async Task The_preview_takes_the_practitioners_settings_the_canceller_and_the_sms_channel_from_the_database()
    {
        await using var app = NoticeTestKit.NewApp();
        var priya = DemoSignIns.Practitioner.Email;
        var appointment = await app.AddAppointmentAsync(priya, NoticeTestKit.NightSlot);

        Assert.Equal("Priya won't be told: they have cancellation notifications off.", await PreviewAsync(app, DemoSignIns.Receptionist.Email, appointment.Id));

        await app.SetNoticesAsync(priya, NotificationMethod.Email, withinDays: 1);
        Assert.Equal("Priya won't be told: outside their 1-day window.", await PreviewAsync(app, DemoSignIns.Receptionist.Email, appointment.Id));

        await app.SetNoticesAsync(priya, NotificationMethod.Sms, mobile: "+61412345678");
        Assert.Equal("Priya won't be told: you are cancelling your own appointment.", await PreviewAsync(app, priya, appointment.Id));
        await SetBalanceAsync(app, 5);
        Assert.Equal("Priya will be sent an SMS (1 credit).", await PreviewAsync(app, DemoSignIns.Receptionist.Email, appointment.Id));
        await SetBalanceAsync(app, 0);
        Assert.Equal("Priya will be emailed instead: no SMS credits left.", await PreviewAsync(app, DemoSignIns.Receptionist.Email, appointment.Id));

        // The preview is made from what the cancellation decides: an SMS notice is recorded, and its
        // SMS is skipped for want of credits when the dispatcher comes to it.
        await app.CancelAsAsync(DemoSignIns.Receptionist.Email, appointment.Id);
        var notice = await app.NoticeForAsync(appointment.Id);
        Assert.Null(notice.SuppressionReason);
        Assert.Null(await PreviewAsync(app, DemoSignIns.Receptionist.Email, appointment.Id));
    }

    private static async Task<string?> PreviewAsync(ClinicAppFactory app, string staffEmail, int appointmentId)
    {
        await using var scope = await app.ScopeForAsync(staffEmail);
        return await scope.ServiceProvider.GetRequiredService<CancellationPreview>().DescribeCancellingAsync(appointmentId);
    }

    private static async Task SetBalanceAsync(ClinicAppFactory app, int balance)
    {
        await using var db = await app.CreateDbContextAsync();
        await db.Set<SmsCreditAccount>().ExecuteUpdateAsync(a => a.SetProperty(x => x.Balance, balance));
    }

    private static NoticeOutlook Outlook(NoticeDecision decision, NotificationMethod method, bool credits = true, bool paused = false, bool email = true, int? days = null) =>
        new("Priya", decision, method, days, email, paused, credits);
}
