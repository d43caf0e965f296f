namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>The README summary of the benchmarks (these tests run in the normal suite; they time nothing).</summary>
public sealed class PerformanceReportTests
{
    private const string Readme = """
        # App

        ## Performance

        Figures from `./test.sh --bench`.

        <!-- bench:calendar -->
        ### Calendar: working week

        Measured 2026-11-24 06:50 UTC on 2 cores, 24 GB, with `./test.sh --bench`.

        | measure | figure | target | met |
        |---|---|---|---|
        | render p50 | 9.7 ms | — | — |
        | render p95 | 12.7 ms | ≤ 100 ms | yes |
        <!-- /bench:calendar -->

        <!-- bench:throughput -->
        ### Email throughput: 5,000 emails

        Measured 2026-11-24 08:10 UTC on 2 cores, 24 GB, with `./test.sh --bench`.

        | measure | figure | target | met |
        |---|---|---|---|
        | ratio, median of the rounds | 0.78 | ≥ 0.8 | **no** |

        Notes that mention | pipes | are not rows.
        <!-- /bench:throughput -->

        ## Next section
        """;

    [Fact]
    public void The_summary_lists_every_row_with_a_target_in_the_order_of_the_blocks_met_or_not()
    {
        var text = PerformanceReport.WithSummary(Readme.ReplaceLineEndings("\n"));

        var summaryAt = text.IndexOf("<!-- bench:summary -->", StringComparison.Ordinal);
        Assert.True(summaryAt > text.IndexOf("## Performance", StringComparison.Ordinal));
        Assert.True(summaryAt < text.IndexOf("<!-- bench:calendar -->", StringComparison.Ordinal));
        var rows = text[summaryAt..text.IndexOf("<!-- /bench:summary -->", StringComparison.Ordinal)]
            .Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1).ToList();
        Assert.Equal(
            [
                "| Calendar | render p95 | 12.7 ms | ≤ 100 ms | yes | 2026-11-24 06:50 |",
                "| Email throughput | ratio, median of the rounds | 0.78 | ≥ 0.8 | **no** | 2026-11-24 08:10 |",
            ],
            rows);
    }

    [Fact]
    public void Publishing_again_replaces_the_summary_instead_of_adding_one()
    {
        var once = PerformanceReport.WithSummary(Readme.ReplaceLineEndings("\n"));
        var changed = once.Replace("| 0.78 | ≥ 0.8 | **no** |", "| 0.84 | ≥ 0.8 | yes |", StringComparison.Ordinal);

        var twice = PerformanceReport.WithSummary(changed);

        Assert.Equal(1, twice.Split("<!-- bench:summary -->").Length - 1);
        Assert.Contains("| Email throughput | ratio, median of the rounds | 0.84 | ≥ 0.8 | yes | 2026-11-24 08:10 |", twice);
        Assert.DoesNotContain("**no**", twice);
    }
}
