using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.Appointments;

public sealed class AppointmentType
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public int DurationMinutes { get; set; }

    /// <summary>CSS colour, "#1e88e5".</summary>
    public string Color { get; set; } = "#1e88e5";

    public bool BookableOnline { get; set; } = true;

    /// <summary>Archived types stay on past appointments but are not offered for new ones.</summary>
    public bool IsArchived { get; set; }
}

internal sealed class AppointmentTypeConfiguration : IEntityTypeConfiguration<AppointmentType>
{
    public void Configure(EntityTypeBuilder<AppointmentType> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(100);
        builder.Property(t => t.Color).HasMaxLength(20);
    }
}
