using System.Globalization;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.SmsCredits;

/// <summary>What the SMS credits page shows at the top.</summary>
public sealed record SmsCreditSummary(int Balance, int LowBalanceThreshold)
{
    public bool IsLow => LowBalanceThreshold > 0 && Balance < LowBalanceThreshold;
}

/// <summary>Which ledger rows to show: clinic-local dates, both ends included, and one kind or all.</summary>
public sealed record SmsLedgerFilter(DateOnly? From = null, DateOnly? To = null, SmsCreditKind? Kind = null);

/// <summary>A ledger row as the page and the CSV show it.</summary>
public sealed record SmsLedgerRow(
    long Id,
    DateTime AtUtc,
    DateTime AtLocal,
    SmsCreditKind Kind,
    int Amount,
    int BalanceAfter,
    string Note,
    string ActorName,
    int? DeliveryId,
    int? AttemptId);

/// <summary>Credits used on one clinic-local day: charges less refunds.</summary>
public sealed record SmsDailyUsage(DateOnly Day, int Credits);

/// <summary>
/// The SMS credits page: admins top up, set the low-balance threshold and read the ledger. This
/// service checks who asks and parses what was typed; the movements themselves are <see cref="SmsCreditLedger"/>'s.
/// </summary>
public sealed class SmsCreditService(
    IDbContextFactory<ClinicDbContext> dbFactory,
    ClinicAuthorization authorization,
    ClinicDirectory clinicDirectory,
    SmsCreditLedger ledger,
    TimeProvider clock)
{
    public const int MinTopUp = 1;
    public const int MaxTopUp = 100_000;
    public const int MaxNoteLength = 500;
    public const int MaxLowBalanceThreshold = 100_000;
    public const string CreditsField = "credits";
    public const string NoteField = "note";
    public const string ThresholdField = "threshold";

    /// <summary>Reads what was typed into the Top up field: a whole number of credits from 1 to 100,000.</summary>
    public static Result<int> ParseCredits(string? text)
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return Result<int>.Fail("Enter how many credits to add.", CreditsField);
        }

        if (!int.TryParse(trimmed, NumberStyles.AllowLeadingSign | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var credits))
        {
            return decimal.TryParse(trimmed, NumberStyles.Number, CultureInfo.InvariantCulture, out var number)
                ? number == decimal.Truncate(number) ? Result<int>.Fail($"Top up at most {MaxTopUp:N0} credits at a time.", CreditsField)
                  : Result<int>.Fail("Credits are whole numbers: enter a number without decimals.", CreditsField)
                : Result<int>.Fail($"Enter a whole number of credits from {MinTopUp} to {MaxTopUp:N0}.", CreditsField);
        }

        var range = ValidateCredits(credits);
        return range.Succeeded ? Result<int>.Ok(credits) : range;
    }

    public static Result ValidateCredits(int credits) => credits switch
    {
        < MinTopUp => Result.Fail($"Top up at least {MinTopUp} credit.", CreditsField),
        > MaxTopUp => Result.Fail($"Top up at most {MaxTopUp:N0} credits at a time.", CreditsField),
        _ => Result.Ok(),
    };

    public static Result ValidateNote(string? note) =>
        (note?.Trim().Length ?? 0) > MaxNoteLength ? Result.Fail($"Keep the note under {MaxNoteLength} characters.", NoteField) : Result.Ok();

    /// <summary>Adds credits (admins only); returns the new balance, or the refusal for its field.</summary>
    public async Task<Result<int>> TopUpAsync(int credits, string? note, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.ManageSmsCredits);
        var refusal = new[] { ValidateCredits(credits), ValidateNote(note) }.FirstOrDefault(r => !r.Succeeded);
        if (refusal.Error is not null)
        {
            return refusal;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var balance = await ledger.TopUpAsync(db, credits, string.IsNullOrWhiteSpace(note) ? "Top-up" : note.Trim(), actor.UserId, actor.DisplayName, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Result<int>.Ok(balance);
    }

    /// <summary>Top up from what was typed: the same refusals as the dialog shows at the field.</summary>
    public async Task<Result<int>> TopUpAsync(string? credits, string? note, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ManageSmsCredits);
        var parsed = ParseCredits(credits);
        return parsed.Succeeded ? await TopUpAsync(parsed.Value, note, cancellationToken) : parsed;
    }

    public async Task<SmsCreditSummary> GetSummaryAsync(CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ManageSmsCredits);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var account = await db.Set<SmsCreditAccount>().AsNoTracking().SingleAsync(a => a.Id == SmsCreditAccount.SingletonId, cancellationToken);
        return new SmsCreditSummary(account.Balance, account.LowBalanceThreshold);
    }

    /// <summary>What the threshold field says to anything but a whole number from 0 to 100,000.</summary>
    public static readonly string ThresholdError = $"Enter a whole number from 0 (no alert) to {MaxLowBalanceThreshold:N0} credits.";

    /// <summary>Reads what was typed into the threshold field: a whole number from 0 (no alert) to 100,000 ("1,000" allowed).</summary>
    public static Result<int> ParseThreshold(string? text) =>
        int.TryParse(text?.Trim(), NumberStyles.AllowThousands, CultureInfo.CurrentCulture, out var value) && value is >= 0 and <= MaxLowBalanceThreshold
            ? Result<int>.Ok(value)
            : Result<int>.Fail(ThresholdError, ThresholdField);

    /// <summary>The threshold as typed, refused at the field (nothing saved) unless <see cref="ParseThreshold"/> reads it.</summary>
    public async Task<Result<int>> SetLowBalanceThresholdAsync(string? threshold, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ManageSmsCredits);
        var parsed = ParseThreshold(threshold);
        if (!parsed.Succeeded)
        {
            return parsed;
        }

        var saved = await SetLowBalanceThresholdAsync(parsed.Value, cancellationToken);
        return saved.Succeeded ? parsed : Result<int>.Fail(saved.Error!, ThresholdField);
    }

    public async Task<Result> SetLowBalanceThresholdAsync(int threshold, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ManageSmsCredits);
        if (threshold is < 0 or > MaxLowBalanceThreshold)
        {
            return Result.Fail(ThresholdError, ThresholdField);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Set<SmsCreditAccount>().Where(a => a.Id == SmsCreditAccount.SingletonId)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.LowBalanceThreshold, threshold), cancellationToken);
        await SmsCreditLedger.ClearAlertIfRecoveredAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Result.Ok();
    }

    public async Task<IReadOnlyList<SmsLedgerRow>> GetLedgerAsync(SmsLedgerFilter filter, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ManageSmsCredits);
        var clinic = await clinicDirectory.GetAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Set<SmsCreditLedgerEntry>().AsNoTracking();
        if (filter.From is { } from)
        {
            var fromUtc = clinic.ToUtc(from.ToDateTime(TimeOnly.MinValue));
            query = query.Where(e => e.AtUtc >= fromUtc);
        }

        if (filter.To is { } to)
        {
            var beforeUtc = clinic.ToUtc(to.AddDays(1).ToDateTime(TimeOnly.MinValue));
            query = query.Where(e => e.AtUtc < beforeUtc);
        }

        if (filter.Kind is { } kind)
        {
            query = query.Where(e => e.Kind == kind);
        }

        // A charge or refund is the dispatcher's ("system"): "By" names whom and what it was for instead.
        var entries = await query.OrderByDescending(e => e.Id)
            .Select(e => new
            {
                Entry = e,
                Notice = db.Set<NoticeDelivery>().Where(d => d.Id == e.DeliveryId)
                    .Select(d => new { d.Notice!.PatientFirstName, d.Notice.PatientLastName, d.Notice.AppointmentStartUtc, d.PractitionerId })
                    .FirstOrDefault(),
                MessagePractitionerId = db.Set<OutboxMessage>().Where(m => m.Id == e.OutboxMessageId).Select(m => m.PractitionerId).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        var practitioners = await db.Set<Practitioner>().AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.DisplayName, cancellationToken);
        string By(SmsCreditLedgerEntry entry, int? practitionerId, string? appointment) =>
            entry.ActorName != SmsCreditLedgerEntry.SystemActor || practitionerId is not { } id || !practitioners.TryGetValue(id, out var name) ? entry.ActorName
            : appointment is null ? $"SMS to {name}"
            : $"SMS to {name} · {appointment}";
        return entries.Select(row =>
        {
            var e = row.Entry;
            var appointment = row.Notice is { } notice
                ? $"{notice.PatientFirstName} {notice.PatientLastName}, {clinic.ToLocal(notice.AppointmentStartUtc):ddd d MMM} {clinic.TimeFormat.Time(clinic.ToLocal(notice.AppointmentStartUtc))}"
                : null;
            var by = By(e, row.Notice?.PractitionerId ?? row.MessagePractitionerId, appointment);
            return new SmsLedgerRow(e.Id, e.AtUtc, clinic.ToLocal(e.AtUtc), e.Kind, e.Amount, e.BalanceAfter, e.Note, by, e.DeliveryId, e.AttemptId);
        }).ToList();
    }

    /// <summary>The filtered ledger as CSV (see <see cref="SmsLedgerCsv"/>).</summary>
    public async Task<string> ExportCsvAsync(SmsLedgerFilter filter, CancellationToken cancellationToken = default) =>
        SmsLedgerCsv.Write(await GetLedgerAsync(filter, cancellationToken));

    /// <summary>Credits used per clinic-local day (charges less refunds), oldest first, today last.</summary>
    public async Task<IReadOnlyList<SmsDailyUsage>> GetDailyUsageAsync(int days = 30, CancellationToken cancellationToken = default)
    {
        await authorization.RequireAsync(Permission.ManageSmsCredits);
        var clinic = await clinicDirectory.GetAsync(cancellationToken);
        var today = DateOnly.FromDateTime(clinic.ToLocal(clock.GetUtcNow().UtcDateTime));
        var firstDay = today.AddDays(1 - days);
        var sinceUtc = clinic.ToUtc(firstDay.ToDateTime(TimeOnly.MinValue));
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var movements = await db.Set<SmsCreditLedgerEntry>().AsNoTracking()
            .Where(e => e.AtUtc >= sinceUtc && (e.Kind == SmsCreditKind.Charge || e.Kind == SmsCreditKind.Refund))
            .Select(e => new { e.AtUtc, e.Amount })
            .ToListAsync(cancellationToken);
        var usedByDay = movements
            .GroupBy(m => DateOnly.FromDateTime(clinic.ToLocal(m.AtUtc)))
            .ToDictionary(g => g.Key, g => -g.Sum(m => m.Amount));
        return Enumerable.Range(0, days)
            .Select(offset => firstDay.AddDays(offset))
            .Select(day => new SmsDailyUsage(day, usedByDay.GetValueOrDefault(day)))
            .ToList();
    }

    /// <summary>The demo clinic's opening top-up, once: nothing happens when the ledger already has rows.</summary>
    internal static async Task OpenDemoBalanceAsync(ClinicDbContext db, int credits, DateTime nowUtc, CancellationToken cancellationToken = default)
    {
        if (await db.Set<SmsCreditLedgerEntry>().AnyAsync(cancellationToken))
        {
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Set<SmsCreditAccount>().Where(a => a.Id == SmsCreditAccount.SingletonId)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.Balance, a => a.Balance + credits), cancellationToken);
        db.Add(new SmsCreditLedgerEntry
        {
            AtUtc = nowUtc, Kind = SmsCreditKind.TopUp, Amount = credits, BalanceAfter = await SmsCreditLedger.BalanceAsync(db, cancellationToken),
            Note = "Opening balance", ActorName = SmsCreditLedgerEntry.SystemActor,
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
