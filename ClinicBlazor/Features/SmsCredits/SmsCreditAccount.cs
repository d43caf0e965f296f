using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.SmsCredits;

/// <summary>
/// The clinic's SMS credit balance: one row, changed only by single UPDATE statements in
/// <see cref="SmsCreditLedger"/> together with a ledger row, so it always equals the ledger's sum.
/// </summary>
public sealed class SmsCreditAccount
{
    public const int SingletonId = 1;
    public const int DefaultLowBalanceThreshold = 10;

    public int Id { get; set; } = SingletonId;

    /// <summary>Never below 0 (a CHECK constraint holds the database to it too).</summary>
    public int Balance { get; set; }

    /// <summary>Admins get one email when the balance falls below this; 0 turns the alert off.</summary>
    public int LowBalanceThreshold { get; set; } = DefaultLowBalanceThreshold;

    /// <summary>Set when the alert for the current crossing has been raised; cleared once the balance is back up.</summary>
    public bool LowBalanceAlerted { get; set; }
}

public enum SmsCreditKind
{
    TopUp,
    Charge,
    Refund,
}

/// <summary>One movement of credits: a top-up (+N), an attempt's charge (−1) or its refund (+1).</summary>
public sealed class SmsCreditLedgerEntry
{
    public const string SystemActor = "system";

    public long Id { get; set; }
    public DateTime AtUtc { get; set; }
    public SmsCreditKind Kind { get; set; }
    public int Amount { get; set; }
    public int BalanceAfter { get; set; }
    public string Note { get; set; } = "";

    /// <summary>The member of staff who topped up; null when the system charged or refunded.</summary>
    public string? ActorUserId { get; set; }

    public string ActorName { get; set; } = SystemActor;

    /// <summary>The notice delivery and attempt a charge or refund belongs to.</summary>
    public int? DeliveryId { get; set; }

    public int? AttemptId { get; set; }

    /// <summary>For an SMS that is not a notice's (a test SMS): its Outbox row.</summary>
    public int? OutboxMessageId { get; set; }
}

internal sealed class SmsCreditAccountConfiguration : IEntityTypeConfiguration<SmsCreditAccount>
{
    public void Configure(EntityTypeBuilder<SmsCreditAccount> builder)
    {
        builder.ToTable("SmsCreditAccounts", table =>
        {
            table.HasCheckConstraint("CK_SmsCreditAccounts_Balance", "\"Balance\" >= 0");
            table.HasCheckConstraint("CK_SmsCreditAccounts_Singleton", "\"Id\" = 1");
        });
        builder.Property(a => a.Id).ValueGeneratedNever();
        // Every database has the account from its first migration: charging never has to create it.
        builder.HasData(new SmsCreditAccount());
    }
}

internal sealed class SmsCreditLedgerEntryConfiguration : IEntityTypeConfiguration<SmsCreditLedgerEntry>
{
    public void Configure(EntityTypeBuilder<SmsCreditLedgerEntry> builder)
    {
        builder.ToTable("SmsCreditLedger");
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Note).HasMaxLength(SmsCreditService.MaxNoteLength);
        builder.Property(e => e.ActorName).HasMaxLength(200);
        builder.HasIndex(e => e.AtUtc);
        builder.HasIndex(e => e.AttemptId);
        builder.HasIndex(e => e.OutboxMessageId);
    }
}
