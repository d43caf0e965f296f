using ClinicBlazor.Data;
using ClinicBlazor.Tests.Features.Calendar;
using ClinicBlazor.Tests.Features.Notifications;
using ClinicBlazor.Tests.Features.Notifications.Sms;
using ClinicBlazor.Tests.Features.OnlineBookings;
using ClinicBlazor.Tests.Features.Patients;
using ClinicBlazor.Tests.Features.SmsCredits;
using ClinicBlazor.Tests.Infrastructure;

// The service and integration tests that run on both providers: each class here inherits every
// test of its SQLite original and runs it against a database of its own on the tests' PostgreSQL.
namespace ClinicBlazor.Tests.Data.PostgreSql;

public sealed class PostgreSqlFakeClockApp() : FakeClockClinicAppFactory(DatabaseProvider.PostgreSql);

public sealed class PostgreSqlSmsCreditsApp() : SmsCreditsApp(DatabaseProvider.PostgreSql);

public sealed class PostgreSqlApp() : ClinicAppFactory(DatabaseProvider.PostgreSql);

public sealed class AppointmentServiceTestsOnPostgreSql(PostgreSqlFakeClockApp app)
    : AppointmentServiceTests(app), IClassFixture<PostgreSqlFakeClockApp>;

public sealed class SmsCreditServiceTestsOnPostgreSql(PostgreSqlSmsCreditsApp app)
    : SmsCreditServiceTests(app), IClassFixture<PostgreSqlSmsCreditsApp>;

public sealed class PatientServiceTestsOnPostgreSql(PostgreSqlApp app)
    : PatientServiceTests(app), IClassFixture<PostgreSqlApp>;

public sealed class OnlineBookingTestsOnPostgreSql() : OnlineBookingTests(DatabaseProvider.PostgreSql);

public sealed class NoticeDispatcherTestsOnPostgreSql(MaildevServer maildev) : NoticeDispatcherTests(maildev, DatabaseProvider.PostgreSql);

public sealed class SmsDeliveryTestsOnPostgreSql() : SmsDeliveryTests(DatabaseProvider.PostgreSql);

public sealed class EmailDispatchCommandsTestsOnPostgreSql() : EmailDispatchCommandsTests(DatabaseProvider.PostgreSql);

public sealed class SendTimeTestsOnPostgreSql(MaildevServer maildev) : SendTimeTests(maildev, DatabaseProvider.PostgreSql);

public sealed class SmsCreditRaceTestsOnPostgreSql() : SmsCreditRaceTests(DatabaseProvider.PostgreSql);
