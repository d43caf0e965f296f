using System.Net;
using ClinicBlazor.Features.DemoClinic;
using ClinicBlazor.Tests.Infrastructure;

namespace ClinicBlazor.Tests.Features.Health;

public sealed class HealthTests : IAsyncLifetime
{
    private readonly DatabaseFaults faults = new();
    private readonly ClinicAppFactory app;

    public HealthTests()
    {
        app = new ClinicAppFactory { ConfigureServices = faults.AddTo };
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Anonymous_callers_get_the_status_word_and_admins_each_check_without_hosts_or_paths()
    {
        using var anonymous = new SignInClient(app.ServerAddress);
        using var admin = new SignInClient(app.ServerAddress);
        await admin.SignInAsync(DemoSignIns.Admin.Email, DemoClinicSeeder.AdminPassword);

        var publicBody = await anonymous.Http.GetStringAsync("/healthz");
        var adminBody = await admin.Http.GetStringAsync("/healthz");

        Assert.Equal("{\"status\":\"Healthy\"}", publicBody);
        Assert.Contains("\"database\":{\"status\":\"Healthy\"}", adminBody, StringComparison.Ordinal);
        Assert.DoesNotContain("/", adminBody, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", adminBody, StringComparison.Ordinal);
        Assert.DoesNotContain(app.DataDirectory, adminBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_that_cannot_be_written_is_unhealthy()
    {
        using var anonymous = new SignInClient(app.ServerAddress);
        using var admin = new SignInClient(app.ServerAddress);
        await admin.SignInAsync(DemoSignIns.Admin.Email, DemoClinicSeeder.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.Http.GetAsync("/healthz")).StatusCode);

        faults.ReadOnly = true;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var response = await anonymous.Http.GetAsync("/healthz");
        var adminBody = await (await admin.Http.GetAsync("/healthz")).Content.ReadAsStringAsync();
        faults.ReadOnly = false;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("{\"status\":\"Unhealthy\"}", await response.Content.ReadAsStringAsync());
        Assert.Contains("\"database\":{\"status\":\"Unhealthy\"}", adminBody, StringComparison.Ordinal);
    }
}
