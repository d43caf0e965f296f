using System.Security.Cryptography;
using System.Text;
using ClinicBlazor.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBlazor.Features.Identity;

/// <summary>
/// A signed-in browser: the sign-in cookie carries only a random key, the ticket lives here, so
/// signing out or deactivating a user ends the session on the server (a copied cookie is worthless).
/// </summary>
public sealed class StaffSession
{
    /// <summary>SHA-256 of the cookie's key: a database reader cannot rebuild a cookie from it.</summary>
    public string Id { get; set; } = "";

    public string UserId { get; set; } = "";

    /// <summary>The serialized authentication ticket (claims and cookie properties).</summary>
    public byte[] Ticket { get; set; } = [];

    public DateTime CreatedUtc { get; set; }

    public DateTime? ExpiresUtc { get; set; }

    internal static string IdFor(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Ends every session of one user (deactivation), inside the caller's transaction.</summary>
    public static Task<int> EndAllAsync(ClinicDbContext db, string userId, CancellationToken cancellationToken = default) =>
        db.Set<StaffSession>().Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
}

internal sealed class StaffSessionConfiguration : IEntityTypeConfiguration<StaffSession>
{
    public void Configure(EntityTypeBuilder<StaffSession> builder)
    {
        builder.ToTable("StaffSessions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasMaxLength(64);
        builder.Property(s => s.UserId).HasMaxLength(450);
        builder.HasIndex(s => s.UserId);
        builder.HasOne<StaffUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
