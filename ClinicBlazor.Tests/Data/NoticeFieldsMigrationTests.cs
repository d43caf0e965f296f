using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ClinicBlazor.Tests.Data;

/// <summary>
/// Notices written before the structured fields (the patient as "First Last", the canceller as a
/// phrase, the reason as its label) are migrated, not abandoned: a database made by the schema
/// before the migration, with rows written the old way, is migrated up and read back.
/// </summary>
public sealed class NoticeFieldsMigrationTests : IAsyncLifetime
{
    private const string Migration = "StructuredNoticeFields";
    private readonly string path = Path.Combine(Path.GetTempPath(), $"clinic-notice-fields-{Guid.NewGuid():N}.db");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task Old_notices_get_split_names_canceller_kinds_and_reason_codes_and_held_deliveries_stay_held()
    {
        await using (var db = Context())
        {
            var migrations = db.Database.GetMigrations().ToList();
            var ours = migrations.FindIndex(m => m.EndsWith("_" + Migration, StringComparison.Ordinal));
            Assert.True(ours > 0, $"No migration named {Migration}.");
            await db.GetService<IMigrator>().MigrateAsync(migrations[ours - 1]);

            // Written as today's main writes them (foreign keys off: only the notices' own tables matter here).
            await db.Database.OpenConnectionAsync();
            await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys = OFF");
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO Practitioner (Id, UserId, DisplayName, Title, NotificationEmail, NotificationMethod, MobileE164, IsActive, OfferedOnline, SortOrder)
                VALUES (7, 'user-priya', 'Dr Priya Sharma', 'Physio', 'priya@clinic.example', 'Email', '', 1, 1, 0);
                INSERT INTO Patient (Id, FirstName, LastName, Email, MobileE164, CreatedAtUtc)
                VALUES (3, 'Mary Ann', 'Lee', 'mary@patients.example', '', '2026-11-01 00:00:00');
                INSERT INTO Appointment (Id, PatientId, PractitionerId, AppointmentTypeId, StartUtc, EndUtc, Status, BookedAtUtc, BookedOnline, Version)
                VALUES (11, 3, 7, 1, '2026-12-01 00:00:00', '2026-12-01 00:30:00', 'Cancelled', '2026-11-01 00:00:00', 0, '00000000-0000-0000-0000-000000000000'),
                       (12, 3, 7, 1, '2026-12-02 00:00:00', '2026-12-02 00:30:00', 'Cancelled', '2026-11-01 00:00:00', 0, '00000000-0000-0000-0000-000000000000'),
                       (13, 3, 7, 1, '2026-12-03 00:00:00', '2026-12-03 00:30:00', 'Cancelled', '2026-11-01 00:00:00', 0, '00000000-0000-0000-0000-000000000000'),
                       (14, 3, 7, 1, '2026-12-04 00:00:00', '2026-12-04 00:30:00', 'Cancelled', '2026-11-01 00:00:00', 0, '00000000-0000-0000-0000-000000000000');
                INSERT INTO CancellationNotice (Id, AppointmentId, PractitionerId, CancelledAtUtc, AppointmentStartUtc, PatientName, AppointmentTypeName, CancelledBy, CancelledByUserId, Reason, Note, Method, Email, MobileE164, SuppressionReason)
                VALUES (1, 11, 7, '2026-11-20 00:00:00', '2026-12-01 00:00:00', 'Jane Smith', 'Follow-up', 'Sam at reception', 'user-sam', 'Feeling better', 'Back at work', 'Email', 'priya@clinic.example', '', NULL),
                       (2, 12, 7, '2026-11-20 00:00:00', '2026-12-02 00:00:00', 'Mary Ann Lee', 'Follow-up', 'the patient, online', NULL, 'Sick', NULL, 'Email', 'priya@clinic.example', '', NULL),
                       (3, 13, 7, '2026-11-20 00:00:00', '2026-12-03 00:00:00', 'Cher', 'Follow-up', 'Dr Priya Sharma', 'user-priya', NULL, NULL, 'Email', 'priya@clinic.example', '', 'cancelled by you'),
                       (4, 14, 7, '2026-11-20 00:00:00', '2026-12-04 00:00:00', 'Tom van der Berg', 'Follow-up', 'Olivia Owner', 'user-owner', 'Other', 'Moving away', 'Email', 'priya@clinic.example', '', NULL);
                INSERT INTO NoticeDelivery (Id, NoticeId, PractitionerId, Channel, Kind, State, CreatedAtUtc, UpdatedAtUtc, DueAtUtc, AttemptCount, Reason, WaitingFor, NextAttemptAtUtc)
                VALUES (21, 1, 7, 'Email', 'Cancellation', 'Retrying', '2026-11-20 00:00:00', '2026-11-20 00:01:00', '2026-11-20 00:01:00', 1, 'mail server refused the sign-in', 'EmailSettings', '2026-11-20 00:06:00'),
                       (22, 2, 7, 'Email', 'Cancellation', 'Sent', '2026-11-20 00:00:00', '2026-11-20 00:01:00', '2026-11-20 00:01:00', 1, NULL, NULL, NULL);
                """);
            await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys = ON");
            await db.Database.CloseConnectionAsync();
        }

        await using (var db = Context())
        {
            await db.Database.MigrateAsync();
        }

        await using (var db = Context())
        {
            var notices = await db.Set<CancellationNotice>().AsNoTracking().Include(n => n.Deliveries).OrderBy(n => n.Id).ToListAsync();

            Assert.Equal(
                [
                    ("Jane", "Smith", CancellerKind.Reception, "Sam", (CancellationReason?)CancellationReason.FeelingBetter, (string?)"Back at work"),
                    ("Mary Ann", "Lee", CancellerKind.PatientOnline, "", CancellationReason.Sick, null),
                    ("Cher", "", CancellerKind.Self, "Dr Priya Sharma", null, null),
                    ("Tom", "van der Berg", CancellerKind.Staff, "Olivia Owner", CancellationReason.Other, "Moving away"),
                ],
                notices.Select(n => (n.PatientFirstName, n.PatientLastName, n.CancelledByKind, n.CancelledByName, n.ReasonCode, n.Note)).ToList());

            // The words people read are the same as before the migration.
            Assert.Equal(["Sam at reception", "the patient, online", "Dr Priya Sharma", "Olivia Owner"], notices.Select(n => n.CancelledBy).ToList());
            Assert.Equal(["Jane Smith", "Mary Ann Lee", "Cher", "Tom van der Berg"], notices.Select(n => n.PatientName).ToList());
            Assert.Equal("user-sam", notices[0].CancelledByUserId);

            var held = Assert.Single(notices[0].Deliveries);
            Assert.Equal((DeliveryState.Retrying, (HoldCode?)HoldCode.EmailSettings), (held.State, held.WaitingFor));
            Assert.Equal(DeliveryState.Sent, Assert.Single(notices[1].Deliveries).State);
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        }
    }

    private ClinicDbContext Context() => new(new DbContextOptionsBuilder<ClinicDbContext>()
        .UseSqlite($"Data Source={path};Pooling=False", sqlite => sqlite.MigrationsAssembly(typeof(ClinicDbContext).Assembly.FullName))
        .Options);
}
