using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Notifications.Email;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Notifications;

/// <summary>How the dispatcher treats a permanent refusal and wrong settings (SMTP 535).</summary>
public sealed class EmailFailureTests : IAsyncLifetime
{
    private readonly ClinicAppFactory app = NoticeTestKit.NewApp();
    private readonly ScriptedEmailSender sender = new();

    public Task InitializeAsync()
    {
        app.ConfigureServices = services => services.AddSingleton<IEmailSender>(sender);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_permanent_refusal_fails_the_delivery_and_an_admin_can_resend_it()
    {
        var appointmentId = await CancelOneAsync();
        sender.Next = new EmailSendException(EmailFailureKind.Permanent, "mailbox rejected (550): no such user");

        app.Clock!.Advance(TimeSpan.FromSeconds(60));
        await app.DispatchAsync();

        var failed = (await app.NoticeForAsync(appointmentId)).Email();
        Assert.Equal(DeliveryState.Failed, failed.State);
        Assert.Equal("mailbox rejected (550): no such user", failed.Reason);

        await using (var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email))
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<DeliveryResend>().ResendAsync(failed.Id)).Succeeded);
        }

        await app.DispatchAsync();
        var notice = await app.NoticeForAsync(appointmentId);
        var resent = notice.Deliveries.Single(d => d.ResendOfDeliveryId == failed.Id);
        Assert.Equal(DeliveryState.Sent, resent.State);
        Assert.Equal(DeliveryState.Failed, notice.Deliveries.Single(d => d.Id == failed.Id).State);
    }

    [Fact]
    public async Task Wrong_email_settings_hold_the_delivery_and_admins_see_a_banner_until_it_goes()
    {
        var appointmentId = await CancelOneAsync();
        sender.Next = new EmailSendException(EmailFailureKind.Configuration, "the mail server refused the sign-in: 535 Authentication failed");

        app.Clock!.Advance(TimeSpan.FromSeconds(60));
        await app.DispatchAsync();

        var held = (await app.NoticeForAsync(appointmentId)).Email();
        Assert.Equal(DeliveryState.Retrying, held.State);
        Assert.Equal(HoldCode.EmailSettings, held.WaitingFor);
        Assert.Contains("refused the app's sign-in", await ProblemSeenByAsync(DemoSignIns.Admin.Email));
        Assert.Null(await ProblemSeenByAsync(DemoSignIns.Receptionist.Email));

        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await app.DispatchAsync();

        Assert.Equal(DeliveryState.Sent, (await app.NoticeForAsync(appointmentId)).Email().State);
        Assert.Null(await ProblemSeenByAsync(DemoSignIns.Admin.Email));
    }

    private async Task<int> CancelOneAsync()
    {
        await app.SetNoticesAsync(DemoSignIns.Practitioner.Email, NotificationMethod.Email);
        await app.TellPatientsAsync(byEmail: false); // the practitioner's notices only: no patient email beside them
        var appointment = await app.AddAppointmentAsync(DemoSignIns.Practitioner.Email, NoticeTestKit.Now.AddDays(3));
        await app.CancelAsAsync(DemoSignIns.Receptionist.Email, appointment.Id);
        return appointment.Id;
    }

    private async Task<string?> ProblemSeenByAsync(string email)
    {
        await using var scope = await app.ScopeForAsync(email);
        return await scope.ServiceProvider.GetRequiredService<NoticeHistory>().GetEmailSettingsProblemAsync();
    }

    /// <summary>Fails the next send as told; otherwise accepts.</summary>
    private sealed class ScriptedEmailSender : IEmailSender, IEmailSession
    {
        public EmailSendException? Next { get; set; }

        public string Description => "scripted";

        public Task<IEmailSession> OpenSessionAsync(CancellationToken cancellationToken) => Task.FromResult<IEmailSession>(this);

        public Task<string> SendAsync(EmailMessage message, CancellationToken cancellationToken)
        {
            var failure = Next;
            Next = null;
            return failure is null ? Task.FromResult($"accepted-{Guid.NewGuid():N}") : Task.FromException<string>(failure);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
