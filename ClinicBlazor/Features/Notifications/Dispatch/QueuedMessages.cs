using ClinicBlazor.Data;
using ClinicBlazor.Features.Notifications.Email;
using ClinicBlazor.Features.Notifications.Sms;
using ClinicBlazor.Features.SmsCredits;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// Sends the outbox's queued messages (booking confirmations, test notifications, low-balance
/// alerts), written composed by <see cref="OutboxQueue"/>, through <see cref="DeliveryPipeline"/>
/// with <see cref="QueuedMessageStep"/>.
/// </summary>
public sealed class QueuedMessages(
    IDbContextFactory<ClinicDbContext> dbFactory,
    DeliveryPipeline pipeline,
    IDatabaseEngine engine,
    ISmsSender smsSender,
    SmsCreditLedger credits,
    PrivateLinks privateLinks,
    IOptions<NotificationsOptions> options,
    ILogger<QueuedMessages> logger)
{
    public const string NoSmsCredits = "no SMS credits left";

    /// <summary>
    /// Sends what is due now (or only <paramref name="only"/>), SMS first: a low-balance alert a
    /// charge queues goes in the same call. Returns the rows as they were left.
    /// </summary>
    public async Task<IReadOnlyList<OutboxMessage>> SendDueAsync(IEmailSession session, DateTime nowUtc, IReadOnlyCollection<int>? only = null, CancellationToken cancellationToken = default)
    {
        var done = new List<OutboxMessage>();
        foreach (var channel in new[] { NoticeChannel.Sms, NoticeChannel.Email })
        {
            List<int> due;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                due = await db.Set<OutboxMessage>().AsNoTracking()
                    .Where(m => m.Channel == channel && (only == null || only.Contains(m.Id))
                                && ((m.State == OutboxMessageState.Pending && (m.NextAttemptAtUtc == null || m.NextAttemptAtUtc <= nowUtc))
                                    || (m.State == OutboxMessageState.Sending && m.LeaseUntilUtc <= nowUtc)))
                    .OrderBy(m => m.Id)
                    .Select(m => m.Id)
                    .ToListAsync(cancellationToken);
            }

            if (due.Count == 0)
            {
                continue;
            }

            // The emails' sent outcomes are recorded by one statement each on a connection of the run's own.
            await using var runDb = channel == NoticeChannel.Email ? await dbFactory.CreateDbContextAsync(cancellationToken) : null;
            if (runDb is not null)
            {
                await runDb.Database.OpenConnectionAsync(cancellationToken);
            }

            using var commands = runDb is null ? null : engine.EmailDispatchCommands(runDb);
            var step = new QueuedMessageStep(engine, commands, session, smsSender, credits, privateLinks, options.Value.Retry, logger);
            done.AddRange(await pipeline.RunAsync(step, due.Select(id => new[] { id }), nowUtc, cancellationToken));
        }

        return done;
    }
}
