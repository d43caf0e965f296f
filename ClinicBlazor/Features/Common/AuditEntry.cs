using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.Common;

/// <summary>A recorded change: who did what to whom, and when (an admin editing someone's My Info, settings changes).</summary>
public sealed class AuditEntry
{
    public int Id { get; set; }
    public DateTime AtUtc { get; set; }
    public string ActorUserId { get; set; } = "";
    public string ActorName { get; set; } = "";

    /// <summary>Where the change was made ("My Info", "Settings").</summary>
    public string Area { get; set; } = "";

    /// <summary>What or whom it was about ("Priya Patel").</summary>
    public string Subject { get; set; } = "";

    /// <summary>What changed, readable ("Notification method: Off → Email").</summary>
    public string Change { get; set; } = "";
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.Property(a => a.ActorUserId).HasMaxLength(450);
        builder.Property(a => a.ActorName).HasMaxLength(200);
        builder.Property(a => a.Area).HasMaxLength(100);
        builder.Property(a => a.Subject).HasMaxLength(200);
        builder.Property(a => a.Change).HasMaxLength(4000);
        builder.HasIndex(a => a.AtUtc);
    }
}
