using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.Patients;

public sealed class Patient
{
    public int Id { get; set; }
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string Email { get; set; } = "";

    /// <summary>E.164, or empty.</summary>
    public string MobileE164 { get; set; } = "";

    public DateTime CreatedAtUtc { get; set; }

    public string FullName => $"{FirstName} {LastName}".Trim();
}

internal sealed class PatientConfiguration : IEntityTypeConfiguration<Patient>
{
    public void Configure(EntityTypeBuilder<Patient> builder)
    {
        builder.Property(p => p.FirstName).HasMaxLength(100);
        builder.Property(p => p.LastName).HasMaxLength(100);
        builder.Property(p => p.Email).HasMaxLength(256);
        builder.Property(p => p.MobileE164).HasMaxLength(20);
        builder.Ignore(p => p.FullName);
        builder.HasIndex(p => new { p.LastName, p.FirstName });
    }
}
