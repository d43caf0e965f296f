using ClinicBlazor.Data;
using ClinicBlazor.Features.Notifications.Email;
using ClinicBlazor.Features.Settings;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// Sends the notices' due emails of one run through <see cref="DeliveryPipeline"/> with
/// <see cref="EmailNoticeStep"/>: one context and one connection for the run's own writes (the
/// engine's drain settings and prepared commands once), one SMTP session from the caller.
/// </summary>
public sealed class EmailNotices(
    IDbContextFactory<ClinicDbContext> dbFactory,
    DeliveryPipeline pipeline,
    IDatabaseEngine engine,
    NoticeLinks links,
    IOptions<NotificationsOptions> options,
    ILogger<EmailNotices> logger)
{
    /// <summary>
    /// Due emails claimed in one transaction. Bigger chunks spend less per email on claiming; a
    /// crash re-sends at most a chunk's claimed-but-unrecorded emails, so it stays small.
    /// </summary>
    internal const int ClaimChunk = 50;

    public async Task<IReadOnlyList<NoticeOutcome>> SendDueAsync(IEmailSession session, DateTime nowUtc, CancellationToken cancellationToken)
    {
        List<EmailNoticeStep.Batch> batches;
        Clinic clinic;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            batches = EmailNoticeStep.Group(await DueDeliveries.FindAsync(db, NoticeChannel.Email, nowUtc, cancellationToken));
            if (batches.Count == 0)
            {
                return [];
            }

            clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync(cancellationToken);
        }

        await using var runDb = await dbFactory.CreateDbContextAsync(cancellationToken);
        await runDb.Database.OpenConnectionAsync(cancellationToken);
        using var commands = engine.EmailDispatchCommands(runDb);
        var step = new EmailNoticeStep(runDb, engine, commands, session, clinic, links.BaseUrl, options.Value.Retry, logger);
        await engine.BeginDrainAsync(runDb, cancellationToken);
        try
        {
            return await pipeline.RunAsync(step, batches.Chunk(ClaimChunk), nowUtc, cancellationToken, runDb: runDb);
        }
        finally
        {
            await engine.EndDrainAsync(runDb);
        }
    }
}
