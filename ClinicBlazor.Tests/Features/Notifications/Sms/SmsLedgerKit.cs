using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Tests.Features.Notifications.Sms;

/// <summary>Reads and sets the SMS credits ledger directly, for the SMS tests' set-up and checks.</summary>
internal static class SmsLedgerKit
{
    /// <summary>The ledger's net for one delivery: −1 when charged and kept, 0 when never charged or refunded.</summary>
    public static async Task<int> NetChargeAsync(this ClinicAppFactory app, int deliveryId)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<SmsCreditLedgerEntry>().Where(e => e.DeliveryId == deliveryId).SumAsync(e => e.Amount);
    }

    public static async Task<int> SmsBalanceAsync(this ClinicAppFactory app)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<SmsCreditAccount>().Select(a => a.Balance).SingleAsync();
    }

    public static async Task AssertLedgerMatchesBalanceAsync(this ClinicAppFactory app)
    {
        await using var db = await app.CreateDbContextAsync();
        var sum = await db.Set<SmsCreditLedgerEntry>().SumAsync(e => e.Amount);
        Assert.Equal(sum, await app.SmsBalanceAsync());
    }

    /// <summary>Sets the balance through the ledger (a top-up or a correction row), keeping balance = ledger sum.</summary>
    public static async Task SetSmsBalanceAsync(this ClinicAppFactory app, int balance)
    {
        await using var db = await app.CreateDbContextAsync();
        var account = await db.Set<SmsCreditAccount>().SingleAsync();
        var sum = await db.Set<SmsCreditLedgerEntry>().SumAsync(e => e.Amount);
        if (balance != sum)
        {
            db.Add(new SmsCreditLedgerEntry { AtUtc = NoticeTestKit.Now, Kind = SmsCreditKind.TopUp, Amount = balance - sum, BalanceAfter = balance, Note = "test set-up" });
        }

        account.Balance = balance;
        await db.SaveChangesAsync();
    }
}
