using ClinicBlazor.Data;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications;

/// <summary>My Info's Send test notification: by the saved method, to the saved address.</summary>
public sealed class TestNotifications(
    IDbContextFactory<ClinicDbContext> dbFactory,
    ClinicAuthorization authorization,
    ClinicDirectory clinicDirectory,
    OutgoingEmail outgoingEmail,
    TimeProvider clock,
    Sms.ISmsSender smsSender,
    SmsCredits.SmsCreditService credits)
{
    /// <summary>Sends a test by the saved method to the saved address (My Info's Send test notification).</summary>
    public async Task<Result<string>> SendTestAsync(string userId, CancellationToken cancellationToken = default)
    {
        await NoticeHistory.RequireOwnOrAdminAsync(authorization, userId);
        Practitioner? practitioner;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            practitioner = await db.Set<Practitioner>().AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, cancellationToken);
        }

        if (practitioner is null)
        {
            return Result.Fail("Only practitioners receive cancellation notices.");
        }

        if (practitioner.NotificationMethod == NotificationMethod.Off)
        {
            return Result.Fail("Choose a notification method and save it first.", nameof(Practitioner.NotificationMethod));
        }

        // By every channel of the method: "SMS and email" tests both, each saying how it went.
        var clinic = await clinicDirectory.GetAsync(cancellationToken);
        var outcomes = new List<Result<string>>();
        if (practitioner.NotificationMethod.UsesEmail())
        {
            outcomes.Add(await SendTestEmailAsync(practitioner, clinic, cancellationToken));
        }

        if (practitioner.NotificationMethod.UsesSms())
        {
            outcomes.Add(await SendTestSmsAsync(practitioner, clinic, cancellationToken));
        }

        var said = string.Join(" ", outcomes.Select(o => o.Succeeded ? o.Value : o.Error));
        return outcomes.TrueForAll(o => o.Succeeded) ? Result<string>.Ok(said) : Result.Fail(said);
    }

    private async Task<Result<string>> SendTestEmailAsync(Practitioner practitioner, Clinic clinic, CancellationToken cancellationToken)
    {
        var sent = await outgoingEmail.SendNowAsync(NoticeMessages.Test(practitioner.NotificationEmail, practitioner.DisplayName, clinic), "Test notification", practitioner.Id, cancellationToken: cancellationToken);
        return sent.State == OutboxMessageState.Sent
            ? Result<string>.Ok($"Test email sent to {practitioner.NotificationEmail}.")
            : Result.Fail($"The test email was not sent: {sent.Error}");
    }

    /// <summary>
    /// A test SMS costs one credit, charged like a notice's (in the transaction that records it as
    /// Sending, refunded if Twilio definitely refused it). The ledger row has no delivery (id 0) and
    /// the outbox message's id as its attempt. My Info says it costs a credit before calling this.
    /// </summary>
    private async Task<Result<string>> SendTestSmsAsync(Practitioner practitioner, Clinic clinic, CancellationToken cancellationToken)
    {
        if (practitioner.MobileE164.Length == 0)
        {
            return Result.Fail("Enter your mobile number and save it first.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var body = Sms.SmsText.Test(clinic.Name, Sms.DeliveryReference.New());
        int outboxId;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var outbox = new OutboxMessage
            {
                CreatedAtUtc = now,
                Kind = "Test notification",
                Channel = NoticeChannel.Sms,
                To = practitioner.MobileE164,
                Subject = "Test SMS",
                TextBody = body,
                State = OutboxMessageState.Sending,
                PractitionerId = practitioner.Id,
            };
            db.Add(outbox);
            await db.SaveChangesAsync(cancellationToken);
            if (!await credits.TryChargeAsync(db, 0, outbox.Id, $"Test SMS to {practitioner.MobileE164}", cancellationToken))
            {
                return Result.Fail("The clinic has no SMS credits left: ask an admin to top up.");
            }

            await transaction.CommitAsync(cancellationToken);
            outboxId = outbox.Id;
        }

        var result = await smsSender.SendAsync(new Sms.SmsMessage(practitioner.MobileE164, body), cancellationToken);
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var outbox = await db.Set<OutboxMessage>().SingleAsync(m => m.Id == outboxId, cancellationToken);
            switch (result)
            {
                case Sms.SmsAccepted accepted:
                    outbox.State = OutboxMessageState.Sent;
                    outbox.SentAtUtc = now;
                    outbox.ProviderId = accepted.Sid;
                    break;
                case Sms.SmsAmbiguous ambiguous:
                    // It may have gone: the credit stays spent.
                    outbox.State = OutboxMessageState.NotSent;
                    outbox.Error = ambiguous.Reason;
                    break;
                default:
                    outbox.State = OutboxMessageState.NotSent;
                    outbox.Error = result.ToString();
                    await credits.RefundAsync(db, 0, outboxId, "test SMS not sent", cancellationToken);
                    break;
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return outbox.State == OutboxMessageState.Sent
                ? Result<string>.Ok($"Test SMS sent to {practitioner.MobileE164} (one SMS credit).")
                : Result.Fail($"The test SMS may not have been sent: {outbox.Error}");
        }
    }
}
