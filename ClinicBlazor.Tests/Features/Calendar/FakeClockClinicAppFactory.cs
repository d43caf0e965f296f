using ClinicBlazor.Data;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace ClinicBlazor.Tests.Features.Calendar;

/// <summary>The demo clinic on a fake clock: Tuesday 24 November 2026, 09:00 in Sydney (22:00 UTC the day before).</summary>
public class FakeClockClinicAppFactory : ClinicAppFactory
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 22, 0, 0, TimeSpan.Zero);

    public FakeClockClinicAppFactory()
        : this(DatabaseProvider.Sqlite)
    {
    }

    protected FakeClockClinicAppFactory(DatabaseProvider provider)
        : base(provider)
    {
        Clock = new FakeTimeProvider(Now);
    }
}
