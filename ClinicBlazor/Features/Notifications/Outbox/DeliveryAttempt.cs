using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.Notifications;

/// <summary>How one attempt ended.</summary>
public enum AttemptOutcome
{
    InProgress = 0,
    Sent = 1,
    Transient = 2,
    Permanent = 3,
    Configuration = 4,
}

/// <summary>One try at sending a delivery.</summary>
public sealed class DeliveryAttempt
{
    public int Id { get; set; }
    public int DeliveryId { get; set; }
    public DateTime StartedAtUtc { get; set; }
    public DateTime? FinishedAtUtc { get; set; }
    public AttemptOutcome Outcome { get; set; }
    public string? ProviderId { get; set; }
    public string? Error { get; set; }

    /// <summary>For SMS: the exact body handed to the provider (reconciliation looks for it in the provider's log).</summary>
    public string? Body { get; set; }

    /// <summary>For SMS: whether this attempt carries the delivery's charge (a re-send after reconciliation does not).</summary>
    public bool Charged { get; set; }

    /// <summary>The email this attempt went out in (a digest carries several deliveries).</summary>
    public int? OutboxMessageId { get; set; }

    /// <summary>How it ended (a later look at the provider's log keeps the first end time).</summary>
    public void Finish(DateTime nowUtc, AttemptOutcome outcome, string? providerId, string? error)
    {
        Outcome = outcome;
        FinishedAtUtc ??= nowUtc;
        ProviderId = providerId;
        Error = error;
    }
}

internal sealed class DeliveryAttemptConfiguration : IEntityTypeConfiguration<DeliveryAttempt>
{
    public void Configure(EntityTypeBuilder<DeliveryAttempt> builder)
    {
        builder.Property(a => a.Outcome).HasConversion<string>().HasMaxLength(20);
        builder.Property(a => a.ProviderId).HasMaxLength(200);
        builder.Property(a => a.Error).HasMaxLength(1000);
        builder.Property(a => a.Body).HasMaxLength(400);
        builder.HasOne<OutboxMessage>().WithMany().HasForeignKey(a => a.OutboxMessageId).OnDelete(DeleteBehavior.SetNull);
    }
}
