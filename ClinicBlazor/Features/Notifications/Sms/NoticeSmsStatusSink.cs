using ClinicBlazor.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications.Sms;

/// <summary>
/// Twilio's delivery reports, recorded against the SMS delivery with that sid: <c>delivered</c> →
/// Delivered, <c>undelivered</c>/<c>failed</c> → Undelivered with the error code in the attempt and
/// the history. Other statuses (queued, sent…) change nothing; only a Sent delivery moves, so a repeated
/// or contrary later report changes nothing more.
/// </summary>
internal sealed class NoticeSmsStatusSink(IDbContextFactory<ClinicDbContext> dbFactory, TimeProvider clock, ILogger<NoticeSmsStatusSink> logger) : ISmsStatusSink
{
    public async Task RecordStatusAsync(string messageSid, string status, string? errorCode, CancellationToken cancellationToken = default)
    {
        DeliveryState? state = status.ToUpperInvariant() switch
        {
            "DELIVERED" => DeliveryState.Delivered,
            "UNDELIVERED" or "FAILED" => DeliveryState.Undelivered,
            _ => null,
        };
        if (state is null)
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var delivery = await db.Set<NoticeDelivery>().Include(d => d.Attempts)
            .Where(d => d.Channel == NoticeChannel.Sms && d.ProviderId == messageSid)
            .FirstOrDefaultAsync(cancellationToken);
        if (delivery is null)
        {
            logger.LogInformation("Twilio reports {MessageSid} {Status}, which is no notice's SMS", messageSid, status);
            return;
        }

        // Delivered and Undelivered are final: a late or replayed report never moves one back.
        var delivered = state == DeliveryState.Delivered;
        if (!delivery.ReportDelivery(clock.GetUtcNow().UtcDateTime, delivered, errorCode is null ? "not delivered" : $"not delivered (error {errorCode})"))
        {
            return;
        }

        if (!delivered && delivery.Attempts.Where(a => a.ProviderId == messageSid).MaxBy(a => a.Id) is { } attempt)
        {
            attempt.Error = errorCode is null ? "undelivered" : $"undelivered, error {errorCode}";
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
