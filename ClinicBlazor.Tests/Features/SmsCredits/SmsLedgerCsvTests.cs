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
    public void Text_cells_are_quoted_and_neutralised(string value, string expected)
    {
        Assert.Equal(expected, SmsLedgerCsv.Text(value));
    }

    [Fact]
    public void Numbers_stay_numbers()
    {
        var row = new SmsLedgerRow(1, new DateTime(2026, 11, 24, 0, 30, 0, DateTimeKind.Utc), new DateTime(2026, 11, 24, 10, 30, 0), SmsCreditKind.Charge, -1, 49, "=cmd", "system", 12, 34);

        var line = SmsLedgerCsv.Write([row]).Split("\r\n")[1];

        Assert.Equal("2026-11-24 10:30:00,Charge,-1,49,\"'=cmd\",system,12,34", line);
    }
}
