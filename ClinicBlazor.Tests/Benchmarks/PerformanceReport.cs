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

            await File.WriteAllTextAsync(readme, WithSummary(text));
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// The section's first block: every row that has a target, from each scenario's block in the
    /// order they stand, so a reader sees at once what is met; rebuilt on every publish.
    /// </summary>
    internal static string WithSummary(string text)
    {
        var summary = new StringBuilder();
        summary.AppendLine("<!-- bench:summary -->");
        summary.AppendLine("### At a glance");
        summary.AppendLine();
        summary.AppendLine("Every figure that has a target, taken from the scenario blocks below (each states its date, machine, command and method); rebuilt whenever a benchmark publishes.");
        summary.AppendLine();
        summary.AppendLine("| scenario | measure | figure | target | met | measured |");
        summary.AppendLine("|---|---|---|---|---|---|");
        foreach (Match block in Block().Matches(text))
        {
            if (block.Groups["key"].Value == "summary")
            {
                continue;
            }

            var scenario = block.Groups["title"].Value.Split(':')[0].Trim();
            var measured = block.Groups["measured"].Value;
            foreach (var line in block.Groups["body"].Value.Split('\n'))
            {
                var cells = line.Trim().Trim('|').Split(" | ").Select(c => c.Trim()).ToArray();
                if (!line.StartsWith("| ", StringComparison.Ordinal) || cells.Length != 4 || cells[2] is "—" or "target")
                {
                    continue;
                }

                summary.AppendLine(CultureInfo.InvariantCulture, $"| {scenario} | {cells[0]} | {cells[1]} | {cells[2]} | {cells[3]} | {measured} |");
            }
        }

        summary.Append("<!-- /bench:summary -->");
        var existing = new Regex("<!-- bench:summary -->.*?<!-- /bench:summary -->", RegexOptions.Singleline);
        if (existing.IsMatch(text))
        {
            return existing.Replace(text, summary.ToString().Replace("$", "$$", StringComparison.Ordinal));
        }

        // Before the first scenario's block.
        var first = text.IndexOf("<!-- bench:", StringComparison.Ordinal);
        return first < 0 ? text : text.Insert(first, summary + "\n\n");
    }

    [GeneratedRegex(@"<!-- bench:(?<key>[\w-]+) -->\n### (?<title>[^\n]*)\n(?:\nMeasured (?<measured>\d{4}-\d\d-\d\d \d\d:\d\d) UTC[^\n]*\n)?(?<body>.*?)<!-- /bench:\k<key> -->", RegexOptions.Singleline)]
    private static partial Regex Block();

    [GeneratedRegex("\n## ")]
    private static partial Regex NextHeading();
}
