using ClinicBlazor.Data;
using ClinicBlazor.Data.PostgreSql;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Patients;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Data.PostgreSql;

public sealed class PostgreSqlDatabaseTests(PostgreSqlApp app) : IClassFixture<PostgreSqlApp>
{
    [Fact]
    public async Task Fresh_database_migrates_and_the_model_has_no_pending_changes()
    {
        await using var db = await app.CreateDbContextAsync();

        Assert.IsType<PostgreSqlClinicDbContext>(db);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        var pending = db.Database.HasPendingModelChanges();
        Assert.False(pending, pending
            ? "The model has changes without a PostgreSQL migration: run dotnet ef migrations add NAME --context PostgreSqlClinicDbContext --output-dir Data/PostgreSql/Migrations. "
              + string.Join("; ", PendingChanges(db))
            : "");
    }

    // Called after HasPendingModelChanges, which has finalised and initialised the snapshot's model.
    private static IEnumerable<string> PendingChanges(DbContext db)
    {
        var snapshot = db.GetService<IModelRuntimeInitializer>().Initialize(db.GetService<IMigrationsAssembly>().ModelSnapshot!.Model);
        return db.GetService<IMigrationsModelDiffer>()
            .GetDifferences(snapshot.GetRelationalModel(), db.GetService<IDesignTimeModel>().Model.GetRelationalModel())
            .Select(operation => operation switch
            {
                AlterColumnOperation column => $"{column.Table}.{column.Name}: {column.OldColumn.ColumnType} → {column.ColumnType}",
                _ => operation.GetType().Name,
            });
    }

    [Fact]
    public async Task Every_instant_is_timestamptz_and_reads_back_as_utc()
    {
        await using var db = await app.CreateDbContextAsync();
        var withoutZone = await db.Database.SqlQueryRaw<string>(
            "SELECT table_name || '.' || column_name AS \"Value\" FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'timestamp without time zone'")
            .ToListAsync();
        var appointment = await db.Set<Appointment>().AsNoTracking().OrderBy(a => a.Id).FirstAsync();

        Assert.Empty(withoutZone);
        Assert.Equal(DateTimeKind.Utc, appointment.StartUtc.Kind);
        Assert.Equal(DateTimeKind.Utc, appointment.EndUtc.Kind);
    }

    [Fact]
    public async Task Names_and_emails_match_without_regard_to_case()
    {
        await using var db = await app.CreateDbContextAsync();
        var patient = await db.Set<Patient>().AsNoTracking().OrderBy(p => p.Id).FirstAsync();
        var upper = patient.LastName.ToUpperInvariant();
        var email = patient.Email.ToUpperInvariant();

        Assert.True(await db.Set<Patient>().AnyAsync(p => EF.Functions.Like(p.LastName, upper)));
        Assert.True(await db.Set<Patient>().AnyAsync(p => EF.Functions.Collate(p.Email, "NOCASE") == email));
    }

    [Fact]
    public void An_unreachable_server_stops_start_up_with_one_sentence_naming_the_host_and_the_key()
    {
        var port = FreePort.Next();
        using var unreachable = ClinicAppFactory.On(DatabaseProvider.PostgreSql)
            .With("ConnectionStrings:Clinic", $"Host=127.0.0.1;Port={port};Database=clinic;Username=postgres;Timeout=5");

        var exception = Assert.ThrowsAny<Exception>(() => unreachable.StartServer());

        var sentence = Flatten(exception).OfType<InvalidOperationException>().Select(e => e.Message).FirstOrDefault(m => m.StartsWith("PostgreSQL at", StringComparison.Ordinal));
        Assert.NotNull(sentence);
        Assert.Contains($"127.0.0.1:{port}", sentence, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:Clinic", sentence, StringComparison.Ordinal);
        Assert.Single(sentence.Split(". ", StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Two_nodes_starting_at_once_on_an_empty_database_seed_the_demo_clinic_once()
    {
        var connectionString = TestPostgreSql.NewDatabase();
        await using var first = ClinicAppFactory.On(DatabaseProvider.PostgreSql).With("ConnectionStrings:Clinic", connectionString);
        await using var second = ClinicAppFactory.On(DatabaseProvider.PostgreSql).With("ConnectionStrings:Clinic", connectionString);
        try
        {
            await Task.WhenAll(Task.Run(first.StartServer), Task.Run(second.StartServer));

            await using var db = await first.CreateDbContextAsync();
            Assert.Equal(8, await db.Users.CountAsync());
            Assert.Equal(5, await db.Set<Practitioner>().CountAsync());
            Assert.Equal(30, await db.Set<Patient>().CountAsync());
        }
        finally
        {
            await second.DisposeAsync();
            await first.DisposeAsync();
            TestPostgreSql.DropDatabase(connectionString);
        }
    }

    [Fact]
    public async Task Two_nodes_starting_at_once_without_demo_create_one_first_admin()
    {
        var connectionString = TestPostgreSql.NewDatabase();
        ClinicAppFactory Node() => ClinicAppFactory.On(DatabaseProvider.PostgreSql)
            .With("ConnectionStrings:Clinic", connectionString)
            .With("Demo:Seed", "false")
            .With("Setup:AdminEmail", "manager@newclinic.example")
            .With("Setup:AdminPassword", "First#Admin2026");
        await using var first = Node();
        await using var second = Node();
        try
        {
            await Task.WhenAll(Task.Run(first.StartServer), Task.Run(second.StartServer));

            await using var scope = first.AnonymousScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ClinicBlazor.Features.Identity.StaffUser>>();
            Assert.Equal("manager@newclinic.example", Assert.Single(users.Users).Email);
            await using var db = await first.CreateDbContextAsync();
            Assert.Equal(1, await db.Set<ClinicBlazor.Features.Settings.Clinic>().CountAsync());
        }
        finally
        {
            await second.DisposeAsync();
            await first.DisposeAsync();
            TestPostgreSql.DropDatabase(connectionString);
        }
    }

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
