namespace ClinicBlazor.Tests.Infrastructure;

public static class RepositoryPaths
{
    /// <summary>The folder holding ClinicBlazor.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Where ./test.sh installs test tools (maildev).</summary>
    public static string TestTools => Path.Combine(Root, ".test-tools");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ClinicBlazor.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("ClinicBlazor.sln not found above the test binaries.");
    }
}
