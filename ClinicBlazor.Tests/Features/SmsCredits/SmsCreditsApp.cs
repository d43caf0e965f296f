using System.Collections.Concurrent;
using ClinicBlazor.Data;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.SmsCredits;

/// <summary>The demo clinic with a low-balance alert that records what it is told.</summary>
public class SmsCreditsApp : ClinicAppFactory
{
    public SmsCreditsApp()
        : this(DatabaseProvider.Sqlite)
    {
    }

    protected SmsCreditsApp(DatabaseProvider provider)
        : base(provider)
    {
        ConfigureServices = services => services.AddSingleton<ILowBalanceAlert>(Alerts);
    }

    public RecordingLowBalanceAlert Alerts { get; } = new();
}

public sealed class RecordingLowBalanceAlert : ILowBalanceAlert
{
    public ConcurrentQueue<(int Balance, int Threshold)> Raised { get; } = new();

    public Task BalanceFellBelowThresholdAsync(ClinicDbContext db, int balance, int threshold, CancellationToken cancellationToken = default)
    {
        Raised.Enqueue((balance, threshold));
        return Task.CompletedTask;
    }
}
