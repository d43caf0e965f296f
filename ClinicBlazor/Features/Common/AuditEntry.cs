using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.Common;

/// <summary>One recorded change: who, when, where in the app, to what, and what changed.</summary>
public sealed class AuditEntry
{
    public int Id { get; set; }
    public DateTime AtUtc { get; set; }
    public string ActorUserId { get; set; } = "";

    /// <summary>The actor's display name as it was at the time.</summary>
    public string ActorName { get; set; } = "";

    /// <summary>Where the change was made ("Clinic", "Staff", "My Info").</summary>
    public string Area { get; set; } = "";

    /// <summary>What was changed ("Priya Patel", "Follow-up").</summary>
    public string Subject { get; set; } = "";

    /// <summary>What changed, in words ("Name: 'A' → 'B'").</summary>
    public string Change { get; set; } = "";
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.Property(e => e.ActorUserId).HasMaxLength(450);
        builder.Property(e => e.ActorName).HasMaxLength(200);
        builder.Property(e => e.Area).HasMaxLength(50);
        builder.Property(e => e.Subject).HasMaxLength(200);
        builder.Property(e => e.Change).HasMaxLength(4000);
        builder.HasIndex(e => e.AtUtc);
    }
}
