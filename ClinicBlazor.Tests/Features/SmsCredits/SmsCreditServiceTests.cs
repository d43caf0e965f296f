using System.Net;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.SmsCredits;

public class SmsCreditServiceTests(SmsCreditsApp app) : IClassFixture<SmsCreditsApp>
{
    private static int nextAttemptId = 1_000_000;

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("2.5")]
    [InlineData("100001")]
    [InlineData("100,001")]
    [InlineData("ten")]
    [InlineData("")]
    public async Task Top_up_refuses_anything_but_a_whole_number_from_1_to_100000_at_the_credits_field(string typed)
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var credits = scope.ServiceProvider.GetRequiredService<SmsCreditService>();
        var before = await BalanceAsync();

        var result = await credits.TopUpAsync(typed, "refused");

        Assert.False(result.Succeeded);
        Assert.Equal(SmsCreditService.CreditsField, result.Field);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
        Assert.Equal(SmsCreditService.CreditsField, SmsCreditService.ParseCredits(typed).Field);
        Assert.Equal(before, await BalanceAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(100_001)]
    public async Task Top_up_of_a_number_out_of_range_is_refused(int amount)
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);

        var result = await scope.ServiceProvider.GetRequiredService<SmsCreditService>().TopUpAsync(amount, null);

        Assert.Equal(SmsCreditService.CreditsField, result.Field);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData(" 100000 ", 100_000)]
    [InlineData("100,000", 100_000)]
    public void Whole_numbers_in_range_are_read(string typed, int expected)
    {
        Assert.Equal(expected, SmsCreditService.ParseCredits(typed).Value);
    }

    [Fact]
    public async Task A_receptionists_top_up_is_refused_by_the_service()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Receptionist.Email);
        var credits = scope.ServiceProvider.GetRequiredService<SmsCreditService>();
        var before = await LedgerCountAsync();

        await Assert.ThrowsAsync<ClinicAuthorizationException>(() => credits.TopUpAsync(10, "not mine to add"));
        await Assert.ThrowsAsync<ClinicAuthorizationException>(() => credits.GetLedgerAsync(new SmsLedgerFilter()));
        Assert.Equal(before, await LedgerCountAsync());
    }

    [Fact]
    public async Task Admin_top_up_adds_credits_with_who_and_the_note_in_the_ledger()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var credits = scope.ServiceProvider.GetRequiredService<SmsCreditService>();
        var before = await BalanceAsync();

        var result = await credits.TopUpAsync("25", "Invoice 1042");

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(before + 25, result.Value);
        var row = (await credits.GetLedgerAsync(new SmsLedgerFilter(Kind: SmsCreditKind.TopUp)))[0];
        Assert.Equal((25, before + 25, "Invoice 1042", DemoSignIns.Admin.DisplayName), (row.Amount, row.BalanceAfter, row.Note, row.ActorName));
        await AssertLedgerMatchesBalanceAsync();
    }

    [Fact]
    public async Task The_demo_clinic_opens_with_a_top_up_of_50()
    {
        await using var db = await app.CreateDbContextAsync();

        var opening = await db.Set<SmsCreditLedgerEntry>().OrderBy(e => e.Id).FirstAsync();

        Assert.Equal((SmsCreditKind.TopUp, 50, 50, "Opening balance"), (opening.Kind, opening.Amount, opening.BalanceAfter, opening.Note));
    }

    [Fact]
    public async Task Two_charges_racing_for_the_last_credit_charge_exactly_once_every_round()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var credits = scope.ServiceProvider.GetRequiredService<SmsCreditService>();
        await DrainAsync(credits);

        const int rounds = 200;
        for (var round = 0; round < rounds; round++)
        {
            Assert.True((await credits.TopUpAsync(1, $"Round {round}")).Succeeded);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var ready = new[] { NewSignal(), NewSignal() };
            var racers = ready.Select((signal, racer) => Task.Run(() => ChargeAfterGateAsync(credits, round * 2 + racer, signal, gate.Task))).ToArray();
            await Task.WhenAll(ready.Select(r => r.Task));
            gate.SetResult();

            var outcomes = await Task.WhenAll(racers);

            Assert.Single(outcomes, charged => charged);
            Assert.Equal(0, await BalanceAsync());
        }

        await using var db = await app.CreateDbContextAsync();
        Assert.Equal(rounds, await db.Set<SmsCreditLedgerEntry>().CountAsync(e => e.Kind == SmsCreditKind.Charge && e.Note == "race"));
        await AssertLedgerMatchesBalanceAsync();
    }

    [Fact]
    public async Task Charging_with_no_credits_writes_nothing_and_says_no()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var credits = scope.ServiceProvider.GetRequiredService<SmsCreditService>();
        await DrainAsync(credits);
        var before = await LedgerCountAsync();

        Assert.False(await ChargeAsync(credits, 7, NextAttempt()));

        Assert.Equal(before, await LedgerCountAsync());
        Assert.Equal(0, await BalanceAsync());
    }

    [Fact]
    public async Task A_refund_gives_back_a_charged_attempts_credit_once_and_never_an_uncharged_one()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var credits = scope.ServiceProvider.GetRequiredService<SmsCreditService>();
        await credits.TopUpAsync(3, "for refunds");
        var attempt = NextAttempt();
        Assert.True(await ChargeAsync(credits, 42, attempt));
        var charged = await BalanceAsync();

        Assert.True(await RefundAsync(credits, 42, attempt));
        Assert.False(await RefundAsync(credits, 42, attempt));
        Assert.False(await RefundAsync(credits, 42, NextAttempt()));

        Assert.Equal(charged + 1, await BalanceAsync());
        await using var db = await app.CreateDbContextAsync();
        Assert.Equal(0, await db.Set<SmsCreditLedgerEntry>().Where(e => e.AttemptId == attempt).SumAsync(e => e.Amount));
        await AssertLedgerMatchesBalanceAsync();
    }

    [Fact]
    public async Task Charging_outside_a_transaction_is_a_bug()
    {
        await using var scope = app.AnonymousScope();
        var credits = scope.ServiceProvider.GetRequiredService<SmsCreditService>();
        await using var db = await app.CreateDbContextAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => Ledger.TryChargeAsync(db, 1, NextAttempt(), "no transaction"));
    }

    [Fact]
    public async Task Falling_below_the_threshold_alerts_once_per_crossing()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var credits = scope.ServiceProvider.GetRequiredService<SmsCreditService>();
        await DrainAsync(credits);
        Assert.True((await credits.SetLowBalanceThresholdAsync(3)).Succeeded);
        await credits.TopUpAsync(4, "above the threshold");
        app.Alerts.Raised.Clear();

        await ChargeAsync(credits, 1, NextAttempt());
        Assert.Empty(app.Alerts.Raised);
        await ChargeAsync(credits, 1, NextAttempt());
        await ChargeAsync(credits, 1, NextAttempt());
        Assert.Equal([(2, 3)], app.Alerts.Raised);
        Assert.True((await credits.GetSummaryAsync()).IsLow);

        await credits.TopUpAsync(5, "back up");
        Assert.False((await credits.GetSummaryAsync()).IsLow);
        await ChargeAsync(credits, 1, NextAttempt());
        await ChargeAsync(credits, 1, NextAttempt());
        await ChargeAsync(credits, 1, NextAttempt());
        await ChargeAsync(credits, 1, NextAttempt());
        Assert.Equal([(2, 3), (2, 3)], app.Alerts.Raised);

        Assert.Equal(SmsCreditService.ThresholdField, (await credits.SetLowBalanceThresholdAsync(-1)).Field);
        Assert.True((await credits.SetLowBalanceThresholdAsync(SmsCreditAccount.DefaultLowBalanceThreshold)).Succeeded);
    }

    [Fact]
    public async Task A_refund_lifting_the_balance_back_does_not_end_the_crossing()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var credits = scope.ServiceProvider.GetRequiredService<SmsCreditService>();
        await DrainAsync(credits);
        Assert.True((await credits.SetLowBalanceThresholdAsync(3)).Succeeded);
        await credits.TopUpAsync(3, "at the threshold");
        app.Alerts.Raised.Clear();

        // A held channel: every retry is charged and refunded, at the threshold's edge.
        for (var retry = 0; retry < 3; retry++)
        {
            var attempt = NextAttempt();
            await ChargeAsync(credits, 77, attempt);
            Assert.True(await RefundAsync(credits, 77, attempt));
        }

        Assert.Equal([(2, 3)], app.Alerts.Raised);
        Assert.True((await credits.SetLowBalanceThresholdAsync(SmsCreditAccount.DefaultLowBalanceThreshold)).Succeeded);
        await AssertLedgerMatchesBalanceAsync();
    }

    [Fact]
    public async Task Csv_export_neutralises_formula_notes_and_keeps_charges_as_numbers()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var credits = scope.ServiceProvider.GetRequiredService<SmsCreditService>();
        await credits.TopUpAsync(2, "=SUM(A1)");
        Assert.True(await ChargeAsync(credits, 99, NextAttempt(), "csv charge"));

        var topUps = await credits.ExportCsvAsync(new SmsLedgerFilter(Kind: SmsCreditKind.TopUp));
        var charges = await credits.ExportCsvAsync(new SmsLedgerFilter(Kind: SmsCreditKind.Charge));

        Assert.StartsWith("Date,Type,Credits,Balance after,Note,By,Delivery,Attempt\r\n", topUps, StringComparison.Ordinal);
        var topUpLine = topUps.Split("\r\n").Single(l => l.Contains("SUM", StringComparison.Ordinal));
        Assert.Contains(",Top-up,2,", topUpLine, StringComparison.Ordinal);
        Assert.Contains(",\"'=SUM(A1)\",", topUpLine, StringComparison.Ordinal);
        var chargeLine = charges.Split("\r\n").Single(l => l.Contains("csv charge", StringComparison.Ordinal));
        Assert.Matches(@"^""?[\d\- :]+""?,Charge,-1,\d+,csv charge,system,99,\d+$", chargeLine);
        Assert.DoesNotContain(",Top-up,", charges, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ledger_filters_by_clinic_dates()
    {
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        var credits = scope.ServiceProvider.GetRequiredService<SmsCreditService>();
        var all = await credits.GetLedgerAsync(new SmsLedgerFilter());
        var today = DateOnly.FromDateTime(all[0].AtLocal);

        var todays = await credits.GetLedgerAsync(new SmsLedgerFilter(today, today));
        var tomorrows = await credits.GetLedgerAsync(new SmsLedgerFilter(today.AddDays(1), null));
        var usage = await credits.GetDailyUsageAsync();

        Assert.NotEmpty(todays);
        Assert.Empty(tomorrows);
        Assert.Equal(30, usage.Count);
        Assert.Equal(today, usage[^1].Day);
        Assert.Equal(
            -todays.Where(r => r.Kind != SmsCreditKind.TopUp).Sum(r => r.Amount),
            usage[^1].Credits);
    }

    [Fact]
    public async Task The_export_endpoint_serves_admins_only()
    {
        using var anonymous = new SignInClient(app.ServerAddress);
        using var receptionist = new SignInClient(app.ServerAddress);
        using var admin = new SignInClient(app.ServerAddress);
        await receptionist.SignInAsync(DemoSignIns.Receptionist.Email, DemoSignIns.Receptionist.Password);
        await admin.SignInAsync(DemoSignIns.Admin.Email, DemoSignIns.Admin.Password);

        var nobody = await anonymous.Http.GetAsync(SmsCreditsExtensions.ExportPath);
        var notAdmin = await receptionist.Http.GetAsync(SmsCreditsExtensions.ExportPath);
        var allowed = await admin.Http.GetAsync(SmsCreditsExtensions.ExportPath + "?kind=TopUp");

        Assert.NotEqual(HttpStatusCode.OK, nobody.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, notAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("text/csv", allowed.Content.Headers.ContentType?.MediaType);
        var csv = await allowed.Content.ReadAsStringAsync();
        Assert.Contains("Opening balance", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",Charge,", csv, StringComparison.Ordinal);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The ledger's movements, which the dispatcher makes inside its own transactions.</summary>
    private SmsCreditLedger Ledger => app.Services.GetRequiredService<SmsCreditLedger>();

    private static int NextAttempt() => Interlocked.Increment(ref nextAttemptId);

    private async Task<bool> ChargeAfterGateAsync(SmsCreditService credits, int deliveryId, TaskCompletionSource ready, Task gate)
    {
        await using var db = await app.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        ready.SetResult();
        await gate;
        await using var transaction = await db.Database.BeginTransactionAsync();
        var charged = await Ledger.TryChargeAsync(db, deliveryId, NextAttempt(), "race");
        await transaction.CommitAsync();
        return charged;
    }

    private async Task<bool> ChargeAsync(SmsCreditService credits, int deliveryId, int attemptId, string note = "test charge")
    {
        await using var db = await app.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var charged = await Ledger.TryChargeAsync(db, deliveryId, attemptId, note);
        await transaction.CommitAsync();
        return charged;
    }

    private async Task<bool> RefundAsync(SmsCreditService credits, int deliveryId, int attemptId)
    {
        await using var db = await app.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var refunded = await Ledger.RefundAsync(db, deliveryId, attemptId, "Twilio refused: 21211");
        await transaction.CommitAsync();
        return refunded;
    }

    private async Task DrainAsync(SmsCreditService credits)
    {
        while (await ChargeAsync(credits, 0, NextAttempt(), "drain"))
        {
        }
    }

    private async Task<int> BalanceAsync()
    {
        await using var db = await app.CreateDbContextAsync();
        return await SmsCreditLedger.BalanceAsync(db);
    }

    private async Task<int> LedgerCountAsync()
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<SmsCreditLedgerEntry>().CountAsync();
    }

    private async Task AssertLedgerMatchesBalanceAsync()
    {
        await using var db = await app.CreateDbContextAsync();
        Assert.Equal(await SmsCreditLedger.BalanceAsync(db), await db.Set<SmsCreditLedgerEntry>().SumAsync(e => e.Amount));
    }
}
