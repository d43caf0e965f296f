using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Tests.Features.Notifications;

/// <summary>Notifications:LeaseSeconds reaches the dispatcher, and a wrong value stops start-up with a sentence.</summary>
public sealed class NoticeLeaseTests
{
    [Fact]
    public async Task The_dispatcher_leases_for_the_configured_seconds()
    {
        await using var app = new ClinicAppFactory().With("Notifications:LeaseSeconds", "45");
        _ = app.ServerAddress;

        Assert.Equal(TimeSpan.FromSeconds(45), app.Services.GetRequiredService<DeliveryPipeline>().Lease);
    }

    [Fact]
    public async Task The_default_lease_is_five_minutes()
    {
        await using var app = new ClinicAppFactory();
        _ = app.ServerAddress;

        Assert.Equal(TimeSpan.FromMinutes(5), app.Services.GetRequiredService<DeliveryPipeline>().Lease);
    }

    [Fact]
    public async Task A_lease_too_short_stops_start_up()
    {
        await using var app = new ClinicAppFactory().With("Notifications:LeaseSeconds", "2");

        var exception = Assert.Throws<OptionsValidationException>(() => app.ServerAddress);
        Assert.Contains("Notifications:LeaseSeconds must be between 10 and 3600 seconds (it is 2).", exception.Message, StringComparison.Ordinal);
    }
}
