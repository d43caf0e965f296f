using ClinicBlazor.Features.SmsCredits;

namespace ClinicBlazor.Tests.Features.SmsCredits;

public sealed class SmsLedgerCsvTests
{
    [Theory]
    [InlineData("=SUM(A1)", "\"'=SUM(A1)\"")]
    [InlineData("+61 cmd", "\"'+61 cmd\"")]
    [InlineData("-1", "\"'-1\"")]
    [InlineData("@risk", "\"'@risk\"")]
    [InlineData("Invoice 12, paid", "\"Invoice 12, paid\"")]
    [InlineData("He said \"hi\"", "\"He said \"\"hi\"\"\"")]
    [InlineData("Invoice 12", "Invoice 12")]
    [InlineData("", "")]
    [InlineData(" =1+1", "\"' =1+1\"")]
    [InlineData("\u00A0=1+1", "\"'\u00A0=1+1\"")]
    [InlineData("\u3000@SUM(A1)", "\"'\u3000@SUM(A1)\"")]
    [InlineData("\uFF1D1+1", "\"'\uFF1D1+1\"")]
    [InlineData("\uFF0B61", "\"'\uFF0B61\"")]
    [InlineData(";=1+1", "\"';=1+1\"")]
    [InlineData("paid; =HYPERLINK(\"x\")", "\"'paid; =HYPERLINK(\"\"x\"\")\"")]
    [InlineData("\t=1", "\"'\t=1\"")]
    [InlineData("Top-up for May", "Top-up for May")]
    public void Text_cells_are_quoted_and_neutralised(string value, string expected)
    {
        Assert.Equal(expected, SmsLedgerCsv.Text(value));
    }

    [Fact]
    public void The_file_reads_back_cell_for_cell_as_RFC_4180()
    {
        var row = new SmsLedgerRow(1, DateTime.UtcNow, new DateTime(2026, 11, 24, 10, 30, 0), SmsCreditKind.TopUp, 50, 50, "Line one\r\nline \"two\", three", "Olivia Grant", null, null);

        using var reader = CsvHelper.CsvReader.Create(new StringReader(SmsLedgerCsv.Write([row])), new CsvHelper.CsvReaderOptions(), false);
        Assert.True(reader.Read());

        Assert.Equal("Line one\r\nline \"two\", three", reader.GetString("Note"));
        Assert.Equal("50", reader.GetString("Credits"));
        Assert.Equal("", reader.GetString("Delivery"));
    }

    [Fact]
    public void Numbers_stay_numbers()
    {
        var row = new SmsLedgerRow(1, new DateTime(2026, 11, 24, 0, 30, 0, DateTimeKind.Utc), new DateTime(2026, 11, 24, 10, 30, 0), SmsCreditKind.Charge, -1, 49, "=cmd", "system", 12, 34);

        var line = SmsLedgerCsv.Write([row]).Split("\r\n")[1];

        Assert.Equal("2026-11-24 10:30:00,Charge,-1,49,\"'=cmd\",system,12,34", line);
    }
}
