using System.Diagnostics;
using Npgsql;

namespace ClinicBlazor.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests run against: the one ./test.sh started (its connection string in
/// CLINIC_TEST_POSTGRES), or, for a filtered `dotnet test` run without it, a throw-away cluster this
/// test process starts with the same script and stops when it exits. Each app gets its own database.
/// </summary>
public static class TestPostgreSql
{
    public const string Variable = "CLINIC_TEST_POSTGRES";

    private static readonly Lazy<string> Server = new(StartOrFind, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>A connection string to the server's maintenance database.</summary>
    public static string AdminConnectionString => Server.Value;

    /// <summary>A connection string naming a new, not yet created database: the app creates it at start-up.</summary>
    public static string NewDatabase()
    {
        var settings = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = $"clinic_{Guid.NewGuid():N}" };
        return settings.ConnectionString;
    }

    public static async Task CreateDatabaseAsync(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
        await create.ExecuteNonQueryAsync();
    }

    public static void DropDatabase(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        using var admin = new NpgsqlConnection(AdminConnectionString);
        admin.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
        drop.ExecuteNonQuery();
    }

    private static string StartOrFind()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var script = Path.Combine(RepositoryPaths.Root, "ClinicBlazor.Tests", "Infrastructure", "test-postgres.sh");
        var (status, output, error) = Run(script, "start");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (status != 0 || lines.Length < 2)
        {
            throw new InvalidOperationException($"{Variable} is not set and {script} could not start a PostgreSQL: {error.Trim()}");
        }

        var directory = lines[0];
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            NpgsqlConnection.ClearAllPools();
            Run(script, $"stop {directory}");
        };
        return lines[1];
    }

    private static (int Status, string Output, string Error) Run(string script, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", $"\"{script}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}
