using System.Net;
using ClinicBlazor.Data;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Tests.Data;

/// <summary>Two app nodes on one database: what one issues, the other accepts.</summary>
public abstract class SeveralNodesTests(DatabaseProvider provider) : IAsyncLifetime
{
    private readonly TwoNodes nodes = new(provider);

    private ClinicAppFactory NodeA => nodes.A;

    private ClinicAppFactory NodeB => nodes.B;

    public Task InitializeAsync()
    {
        nodes.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await nodes.DisposeAsync();

    [Fact]
    public async Task A_sign_in_cookie_issued_by_node_A_is_accepted_by_node_B()
    {
        using var atA = new SignInClient(NodeA.ServerAddress);
        var signIn = await atA.SignInAsync(DemoSignIns.Receptionist.Email, DemoSignIns.Receptionist.Password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.DoesNotContain("/Account/Login", signIn.Headers.Location?.OriginalString ?? "", StringComparison.Ordinal);

        using var handlerAtB = new HttpClientHandler { CookieContainer = atA.Handler.CookieContainer, AllowAutoRedirect = false };
        using var atB = new HttpClient(handlerAtB) { BaseAddress = NodeB.ServerAddress };
        var page = await atB.GetAsync("/calendar");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        // Shared because it is in the database (not in a folder both test nodes happen to share).
        await using var db = await NodeB.CreateDbContextAsync();
        Assert.NotEmpty(await db.DataProtectionKeys.AsNoTracking().ToListAsync());
    }

    [Fact]
    public async Task An_antiforgery_token_from_node_A_is_accepted_by_node_B()
    {
        using var atA = new SignInClient(NodeA.ServerAddress);
        var form = await atA.Http.GetStringAsync("/Account/Login");

        using var handlerAtB = new HttpClientHandler { CookieContainer = atA.Handler.CookieContainer, AllowAutoRedirect = false };
        using var atB = new HttpClient(handlerAtB) { BaseAddress = NodeB.ServerAddress };
        var signIn = await atB.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in",
            ["__RequestVerificationToken"] = SignInClient.AntiforgeryToken(form),
            ["Input.Email"] = DemoSignIns.Receptionist.Email,
            ["Input.Password"] = DemoSignIns.Receptionist.Password,
        }));

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.DoesNotContain("/Account/Login", signIn.Headers.Location?.OriginalString ?? "", StringComparison.Ordinal);
    }
}

public sealed class SeveralNodesOnSqliteTests() : SeveralNodesTests(DatabaseProvider.Sqlite);

public sealed class SeveralNodesOnPostgreSqlTests() : SeveralNodesTests(DatabaseProvider.PostgreSql);
