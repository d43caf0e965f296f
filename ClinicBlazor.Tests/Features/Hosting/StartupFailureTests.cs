using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace ClinicBlazor.Tests.Features.Hosting;

/// <summary>
/// The app as its own process in Production, started with one wrong setting or an unusable
/// database: it must end with exit code 1 and a sentence naming the key, no stack trace, and
/// (for a wrong setting) without having created or migrated the database.
/// </summary>
public sealed class StartupFailureTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "clinicblazor-tests", Guid.NewGuid().ToString("N"));

    public StartupFailureTests() => Directory.CreateDirectory(directory);

    private string DatabasePath => Path.Combine(directory, "clinic.db");

    public static TheoryData<string, string, string> WrongSettings() => new()
    {
        { "Notifications__LeaseSeconds", "5", "Notifications:LeaseSeconds must be between 10 and 3600 seconds (it is 5)." },
        { "Notifications__Email__Smtp__Port", "99999", "Notifications:Email:Smtp:Port must be between 1 and 65535 (it is 99999)." },
        { "Notifications__Email__Smtp__Security", "None", "Notifications:Email:Smtp:Security None sends mail unencrypted and is only allowed for a loopback host" },
        { "Notifications__PublicBaseUrl", "https://clinic.example", "Notifications:PublicBaseUrl is no longer read: rename it to App:PublicBaseUrl." },
        { "OnlineBookings__TrustedProxies__0", "10.0.0.5", "OnlineBookings:TrustedProxies is no longer read: list your reverse proxies in ForwardedHeaders:KnownProxies (IP addresses) or ForwardedHeaders:KnownIPNetworks" },
        { "ForwardedHeaders__KnownProxies__0", "proxy.local", "ForwardedHeaders:KnownProxies has \"proxy.local\", which is not an IP address" },
        { "App__PublicBaseUrl", "", "App:PublicBaseUrl must be set outside Development" },
        { "App__PublicBaseUrl", "http://clinic.example", "App:PublicBaseUrl must start with https:// outside Development" },
    };

    [Theory]
    [MemberData(nameof(WrongSettings))]
    public async Task Wrong_setting_stops_the_start_with_its_sentence_before_the_database_is_touched(string key, string value, string sentence)
    {
        var settings = Production();
        settings["Notifications__Email__Smtp__Host"] = key.Contains("Smtp", StringComparison.Ordinal) ? (key.EndsWith("Security", StringComparison.Ordinal) ? "mail.clinic.example" : "127.0.0.1") : null;
        settings[key] = value;

        var (exitCode, output) = await AppProcess.RunUntilExitAsync(settings, TimeSpan.FromMinutes(2));

        Assert.Equal(1, exitCode);
        Assert.Contains(sentence, output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
        Assert.False(File.Exists(DatabasePath), "The database was created before the settings were checked.");
    }

    [Fact]
    public async Task Malformed_connection_string_names_the_key()
    {
        var settings = Production();
        settings["ConnectionStrings__Clinic"] = $"Data Source={DatabasePath};Mode=Bogus";

        var (exitCode, output) = await AppProcess.RunUntilExitAsync(settings, TimeSpan.FromMinutes(2));

        Assert.Equal(1, exitCode);
        Assert.Contains("ConnectionStrings:Clinic is not a valid connection string", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Fact]
    public async Task Read_only_database_says_it_cannot_be_written()
    {
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE earlier (id INTEGER PRIMARY KEY);";
            await command.ExecuteNonQueryAsync();
        }

        var settings = Production();
        settings["ConnectionStrings__Clinic"] = $"Data Source={DatabasePath};Mode=ReadOnly";

        var (exitCode, output) = await AppProcess.RunUntilExitAsync(settings, TimeSpan.FromMinutes(2));

        Assert.Equal(1, exitCode);
        Assert.Contains("The database cannot be written", output, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:Clinic", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    private Dictionary<string, string?> Production() => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["ConnectionStrings__Clinic"] = $"Data Source={DatabasePath}",
        ["Demo__Seed"] = "true",
        ["App__PublicBaseUrl"] = "https://clinic.example",
        ["Notifications__Email__PickupDirectory"] = Path.Combine(directory, "outbox"),
        ["Notifications__Sms__DevSinkDirectory"] = Path.Combine(directory, "sms"),
    };

    private static void AssertNoStackTrace(string output)
    {
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", output);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean up.
        }
    }
}
