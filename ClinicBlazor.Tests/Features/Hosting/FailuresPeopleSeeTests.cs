using System.Net;
using System.Text.RegularExpressions;
using Bunit;
using ClinicBlazor.Components.Shared;
using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.MyInfo;
using ClinicBlazor.Features.OnlineBookings;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ClinicBlazor.Tests.Features.Hosting;

public sealed partial class FailuresPeopleSeeTests
{
    [Fact]
    public async Task Saving_My_Info_on_a_full_disk_says_so_and_changes_nothing()
    {
        var faults = new DatabaseFaults();
        await using var app = new ClinicAppFactory { ConfigureServices = faults.AddTo };
        var person = DemoSignIns.Practitioner;
        await using var scope = await app.ScopeForAsync(person.Email);
        var myInfo = scope.ServiceProvider.GetRequiredService<MyInfoService>();
        var userId = (await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(person.Email))!.Id;
        var before = await myInfo.GetForEditingAsync(userId);

        faults.DiskFull = true;
        var result = await myInfo.SaveAsync(new SaveMyInfo(userId, "Renamed On Full Disk", before.NotificationEmail, null, before.NotificationMethod, before.NotifyWithinDays));
        faults.DiskFull = false;

        Assert.Equal("Could not save: the server's disk is full. Nothing was changed.", result.ErrorFor(MyInfoSaveResult.FormError));
        Assert.Equal(before.DisplayName, (await myInfo.GetForEditingAsync(userId)).DisplayName);
    }

    [Fact]
    public async Task A_public_page_that_fails_answers_a_friendly_page_with_a_reference()
    {
        var faults = new DatabaseFaults();
        await using var app = new ClinicAppFactory
        {
            EnvironmentName = "Production",
            Clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 22, 0, 0, TimeSpan.Zero)),
            ConfigureServices = faults.AddTo,
        }.With("App:PublicBaseUrl", "http://127.0.0.1");
        using var client = new SignInClient(app.ServerAddress);
        int type;
        await using (var scope = app.AnonymousScope())
        {
            type = (await scope.ServiceProvider.GetRequiredService<OnlineBookingService>().GetChoicesAsync()).Types[0].Id;
        }

        var page = await client.Http.GetStringAsync($"/book?type={type}&date=2026-11-26");
        faults.DiskFull = true;
        var response = await client.Http.PostAsync($"/book?type={type}&date=2026-11-26", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "book",
            ["__RequestVerificationToken"] = SignInClient.AntiforgeryToken(page),
            ["Form.TypeId"] = type.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Form.Slot"] = SlotPattern().Match(page).Groups[1].Value,
            ["Form.FirstName"] = "Full",
            ["Form.LastName"] = "Disk",
            ["Form.Email"] = "full.disk@patients.example",
            ["Form.Mobile"] = "0412 345 678",
        }));
        faults.DiskFull = false;
        var body = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        // The page's error boundary (inside the public layout) answers it; a failure outside it gets ErrorPage.
        Assert.Contains("Could not save: the server's disk is full. Nothing was changed.", body, StringComparison.Ordinal);
        Assert.Matches("(?i)reference: <code>[^<]+</code>", body);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_that_throws_shows_a_sentence_a_reload_link_and_a_reference_inside_its_layout()
    {
        await using var context = new BunitContext();
        context.Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        context.Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));

        var boundary = context.Render<PageErrorBoundary>(parameters => parameters.AddChildContent<ThrowingPage>());

        var alert = boundary.Find("[data-testid=page-error]");
        Assert.Contains("Something went wrong on this page.", alert.TextContent, StringComparison.Ordinal);
        Assert.Contains("Reload the page", alert.QuerySelector("a")!.TextContent, StringComparison.Ordinal);
        Assert.Matches("reference: [0-9a-f]{12}", alert.TextContent);
    }

    [Fact]
    public void A_disk_full_error_is_recognised_through_EF_and_SQLite()
    {
        var full = new Microsoft.EntityFrameworkCore.DbUpdateException("saving", new Microsoft.Data.Sqlite.SqliteException("database or disk is full", 13));
        var locked = new Microsoft.EntityFrameworkCore.DbUpdateException("saving", new Microsoft.Data.Sqlite.SqliteException("database is locked", 5));

        Assert.True(StorageFailure.IsDiskFull(full));
        Assert.False(StorageFailure.IsDiskFull(locked));
    }

    private sealed class ThrowingPage : ComponentBase
    {
        protected override void OnInitialized() => throw new InvalidOperationException("A bug in the page.");
    }

    [GeneratedRegex("name=\"Form.Slot\" value=\"([0-9:]+)\"")]
    private static partial Regex SlotPattern();
}
