using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ClinicBlazor.Data.PostgreSql;

/// <summary>
/// Lets `dotnet ef migrations add --context PostgreSqlClinicDbContext` build the PostgreSQL model
/// without a server (adding a migration never connects).
/// </summary>
internal sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlClinicDbContext>
{
    public PostgreSqlClinicDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgreSqlClinicDbContext>().UseNpgsql("Host=localhost;Database=clinic").Options);
}
