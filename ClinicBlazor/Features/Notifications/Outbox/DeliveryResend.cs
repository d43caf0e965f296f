using ClinicBlazor.Data;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications;

/// <summary>An admin's Resend of a failed delivery (the Outbox page).</summary>
public sealed class DeliveryResend(
    IDbContextFactory<ClinicDbContext> dbFactory,
    ClinicAuthorization authorization,
    NoticeSignal signal,
    IDatabaseEngine engine,
    TimeProvider clock)
{
    /// <summary>An admin's Resend of a failed delivery: a new delivery of the same notice and channel, due now.</summary>
    public async Task<Result> ResendAsync(int deliveryId, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ViewOutbox);
        var now = clock.GetUtcNow().UtcDateTime;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            // The failed delivery is locked before it is read (BEGIN IMMEDIATE on SQLite, FOR UPDATE on
            // PostgreSQL): two admins clicking Resend at once make one new delivery (one SMS charge), not two.
            await using var transaction = await engine.BeginNarrowTransactionAsync(db, cancellationToken);
            await engine.LockDeliveriesAsync(db, [deliveryId], cancellationToken);
            var failed = await db.Set<NoticeDelivery>().Include(d => d.Notice).SingleOrDefaultAsync(d => d.Id == deliveryId, cancellationToken);
            if (failed is null || failed.State != DeliveryState.Failed)
            {
                return Result.Fail("Only a failed delivery can be resent.");
            }

            if (await db.Set<NoticeDelivery>().AnyAsync(d => d.ResendOfDeliveryId == deliveryId, cancellationToken))
            {
                return Result.Fail("It has already been resent.");
            }

            // It goes to the practitioner's address as it is now: the usual reason to resend is that
            // the number or mailbox has been fixed since. The failed attempts keep what they tried.
            var practitioner = await db.Set<Practitioner>().AsNoTracking().SingleAsync(p => p.Id == failed.PractitionerId, cancellationToken);
            if (failed.Channel == NoticeChannel.Sms && !string.IsNullOrEmpty(practitioner.MobileE164))
            {
                failed.Notice!.MobileE164 = practitioner.MobileE164;
            }
            else if (failed.Channel == NoticeChannel.Email && !string.IsNullOrEmpty(practitioner.NotificationEmail))
            {
                failed.Notice!.Email = practitioner.NotificationEmail;
            }

            // A resend is a new delivery: an SMS is charged again when it is handed to Twilio.
            failed.Notice!.AddDelivery(failed.Channel, failed.Kind, now, now).ResendOfDeliveryId = failed.Id;
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await signal.DeliveriesDueAsync(now);
        return Result.Ok();
    }
}
