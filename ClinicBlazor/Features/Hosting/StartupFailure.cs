using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Hosting;

/// <summary>
/// Turns a failed start into one or two sentences naming the setting and the fix, for the operator
/// reading the console at 3 a.m.; Development keeps the exception and its stack trace.
/// </summary>
public static class StartupFailure
{
    public const int ExitCode = 1;

    /// <summary>True for a failure to explain; false for the tools' own stop signal or in Development.</summary>
    public static bool ShouldExplain(Exception exception, string? environmentName)
    {
        if (exception is HostAbortedException)
        {
            // dotnet-ef and the test host stop the entry point this way on purpose.
            return false;
        }

        var environment = environmentName
            ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
            ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
            ?? Environments.Production;
        return !string.Equals(environment, Environments.Development, StringComparison.OrdinalIgnoreCase);
    }

    public static int Report(Exception exception)
    {
        Console.Error.WriteLine("ClinicBlazor did not start. " + Explain(exception));
        return ExitCode;
    }

    public static string Explain(Exception exception)
    {
        var failures = Flatten(exception).ToList();
        var options = failures.OfType<OptionsValidationException>().SelectMany(o => o.Failures).Distinct().ToList();
        if (options.Count > 0)
        {
            return string.Join(" ", options);
        }

        if (failures.OfType<SqliteException>().FirstOrDefault() is { } sqlite)
        {
            return sqlite.SqliteErrorCode switch
            {
                8 => "The database cannot be written (SQLite: attempt to write a read-only database). Check ConnectionStrings:Clinic and that the app may write the database file and its folder.",
                13 => "The database cannot be written: the disk is full. Free some space, then start the app again.",
                14 => "The database file cannot be opened. Check ConnectionStrings:Clinic and that its folder exists and the app may write there.",
                23 => "The database file may not be opened by this user. Check the file's permissions (ConnectionStrings:Clinic).",
                26 => "The file named by ConnectionStrings:Clinic is not a SQLite database. Point it at the clinic's database file, or at a new file name to start empty.",
                _ => $"The database refused to start (SQLite error {sqlite.SqliteErrorCode}: {FirstSentence(sqlite.Message)}). Check ConnectionStrings:Clinic.",
            };
        }

        if (failures.OfType<DbException>().FirstOrDefault() is { } database)
        {
            return $"The database refused to start ({FirstSentence(database.Message)}). Check ConnectionStrings:Clinic and that the database server is reachable.";
        }

        if (failures.OfType<ArgumentException>().FirstOrDefault(IsConnectionStringProblem) is { } connectionString)
        {
            return $"ConnectionStrings:Clinic is not a valid connection string: {FirstSentence(connectionString.Message)}. Fix it in configuration (for SQLite: Data Source=clinic.db).";
        }

        // The app's own configuration errors are sentences already (and wrap their cause).
        var first = failures.FirstOrDefault(f => f is not AggregateException) ?? exception;
        return first is InvalidOperationException
            ? first.Message
            : $"{FirstSentence(first.Message)}. Start it with ASPNETCORE_ENVIRONMENT=Development to see the details.";
    }

    // The provider parses the connection string when the first connection is made; its complaint
    // (an unknown keyword, "Requested value 'Bogus' was not found") rarely names the setting.
    private static bool IsConnectionStringProblem(ArgumentException exception) =>
        exception.StackTrace?.Contains("ConnectionString", StringComparison.Ordinal) == true;

    private static string FirstSentence(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.EndsWith('.') ? line[..^1] : line;
    }

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        yield return exception;
        var inner = exception is AggregateException aggregate ? aggregate.InnerExceptions : exception.InnerException is { } one ? [one] : [];
        foreach (var child in inner)
        {
            foreach (var descendant in Flatten(child))
            {
                yield return descendant;
            }
        }
    }
}
