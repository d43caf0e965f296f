using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>Benchmarks run one at a time, so their figures are not skewed by each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BenchmarkCollection
{
    public const string Name = "Benchmarks";
}

/// <summary>
/// Writes each benchmark's table into README.md's "Performance" section, between markers of its
/// own, with the date, the machine and the command that reproduces it.
/// </summary>
public static partial class PerformanceReport
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static string Machine
    {
        get
        {
            var memoryGb = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
            return $"{Environment.ProcessorCount} cores, {memoryGb:0} GB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
        }
    }

    public static double Percentile(IReadOnlyList<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = percentile / 100.0 * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    /// <summary>Replaces (or adds) this scenario's block in README's Performance section and prints it.</summary>
    public static async Task PublishAsync(string key, string title, string command, IEnumerable<(string Measure, string Figure, string Target, bool? Met)> rows, string? note = null)
    {
        var block = new StringBuilder();
        block.AppendLine(CultureInfo.InvariantCulture, $"<!-- bench:{key} -->");
        block.AppendLine(CultureInfo.InvariantCulture, $"### {title}");
        block.AppendLine();
        block.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine}, with `{command}`.");
        block.AppendLine();
        block.AppendLine("| measure | figure | target | met |");
        block.AppendLine("|---|---|---|---|");
        foreach (var (measure, figure, target, met) in rows)
        {
            block.AppendLine(CultureInfo.InvariantCulture, $"| {measure} | {figure} | {target} | {(met is null ? "—" : met.Value ? "yes" : "**no**")} |");
        }

        if (!string.IsNullOrWhiteSpace(note))
        {
            block.AppendLine();
            block.AppendLine(note.Trim());
        }

        block.Append(CultureInfo.InvariantCulture, $"<!-- /bench:{key} -->");
        Console.WriteLine(block.ToString());

        await Gate.WaitAsync();
        try
        {
            var readme = Path.Combine(Infrastructure.RepositoryPaths.Root, "README.md");
            var text = await File.ReadAllTextAsync(readme);
            var pattern = new Regex($"<!-- bench:{Regex.Escape(key)} -->.*?<!-- /bench:{Regex.Escape(key)} -->", RegexOptions.Singleline);
            if (pattern.IsMatch(text))
            {
                text = pattern.Replace(text, block.ToString().Replace("$", "$$", StringComparison.Ordinal));
            }
            else
            {
                const string heading = "## Performance";
                if (!text.Contains(heading, StringComparison.Ordinal))
                {
                    text = text.TrimEnd() + $"\n\n{heading}\n\nFigures from `./test.sh --bench` (benchmarks are never timed assertions in the normal suite).\n";
                }

                var sectionStart = text.IndexOf(heading, StringComparison.Ordinal);
                var nextSection = NextHeading().Match(text, sectionStart + heading.Length);
                var insertAt = nextSection.Success ? nextSection.Index : text.Length;
                text = text.Insert(insertAt, (insertAt == text.Length ? "\n" : "") + block + "\n\n");
            }

            await File.WriteAllTextAsync(readme, text);
        }
        finally
        {
            Gate.Release();
        }
    }

    [GeneratedRegex("\n## ")]
    private static partial Regex NextHeading();
}
