using System.Security.Claims;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ClinicBlazor.Tests.Infrastructure;

/// <summary>
/// The whole app on real Kestrel (a free loopback port) with its own SQLite file, deleted afterwards.
/// Demo seeding is on unless a test says otherwise. Settings are ordinary configuration keys.
/// </summary>
public class ClinicAppFactory : WebApplicationFactory<Program>
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "clinicblazor-tests", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string?> settings = new(StringComparer.OrdinalIgnoreCase);

    public ClinicAppFactory()
    {
        Directory.CreateDirectory(directory);
        DatabasePath = Path.Combine(directory, "clinic.db");
        settings["ConnectionStrings:Clinic"] = $"Data Source={DatabasePath}";
        settings["Demo:Seed"] = "true";
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning";
        settings["Notifications:Email:PickupDirectory"] = Path.Combine(directory, "outbox");
        settings["Notifications:Sms:DevSinkDirectory"] = Path.Combine(directory, "sms");
        // Every test signs in from 127.0.0.1: the per-address sign-in throttle is tested on its own.
        settings["SignIn:PermitLimit"] = "100000";
        UseKestrel(0);
    }

    public string DatabasePath { get; }

    public string DataDirectory => directory;

    /// <summary>Development unless a test needs Production's behaviour (then also set App:PublicBaseUrl).</summary>
    public string EnvironmentName { get; init; } = "Development";

    /// <summary>When set (before the first use), the app reads the clock from here.</summary>
    public FakeTimeProvider? Clock { get; set; }

    /// <summary>The app's clock moved to another instant and running on in real time (default: <c>./test.sh --at</c>'s, if any).</summary>
    public ShiftedClock? Shift { get; set; } = ShiftedClock.FromEnvironment;

    /// <summary>Now on the app's clock (the fake one when set): tests take their times from here, never from the machine.</summary>
    public DateTime UtcNow => Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;

    /// <summary>Configuration for this app instance; set before the first use.</summary>
    public ClinicAppFactory With(string key, string? value)
    {
        settings[key] = value;
        return this;
    }

    /// <summary>Extra service replacements, applied after the app's own registrations.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>The base address of the running app ("http://127.0.0.1:PORT/").</summary>
    public Uri ServerAddress
    {
        get
        {
            StartServer();
            return ClientOptions.BaseAddress;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        foreach (var (key, value) in settings)
        {
            // UseSetting reaches the app's builder.Configuration before Program reads it.
            builder.UseSetting(key, value);
        }

        // Test output carries warnings and errors, not every HTTP request: this rule is added after
        // appsettings.Development.json's "Default": "Information", so it wins over it.
        builder.ConfigureLogging(logging => logging.AddFilter(category: null, LogLevel.Warning));
        builder.ConfigureTestServices(services =>
        {
            if (Clock is null && Shift is { } shifted)
            {
                // ./test.sh --at: the app lives on a day other than today. Quartz takes this clock too,
                // and every trigger is placed on it, so the scheduler runs as usual.
                services.AddSingleton<TimeProvider>(shifted);
            }

            if (Clock is not null)
            {
                services.AddSingleton<TimeProvider>(Clock);

                // Quartz takes the TimeProvider from the container, so on a fake clock its scheduler
                // would wait on the test's clock while the app's triggers are placed in real time,
                // and fire whenever a test advances it. Tests on a fake clock call the dispatcher
                // themselves (DispatchAsync); the scheduler is left stopped.
                var quartzHost = services.Where(d => d.ServiceType == typeof(IHostedService)
                    && (d.ImplementationType ?? d.ImplementationFactory?.Method.ReturnType)?.Namespace?.StartsWith("Quartz", StringComparison.Ordinal) == true).ToList();
                if (quartzHost.Count == 0)
                {
                    throw new InvalidOperationException("The Quartz hosted service was not found; check how AddNotifications registers it.");
                }

                foreach (var descriptor in quartzHost)
                {
                    services.Remove(descriptor);
                }
            }

            ConfigureServices?.Invoke(services);
        });
    }

    public IDbContextFactory<ClinicDbContext> DbFactory => Services.GetRequiredService<IDbContextFactory<ClinicDbContext>>();

    public async Task<ClinicDbContext> CreateDbContextAsync() => await DbFactory.CreateDbContextAsync();

    /// <summary>
    /// A service scope acting as the given staff member, for calling services directly the way a
    /// signed-in page would (authorization checks run as for that user).
    /// </summary>
    public async Task<AsyncServiceScope> ScopeForAsync(string email)
    {
        StartServer();
        var scope = Services.CreateAsyncScope();
        var userManager = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var user = await userManager.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No staff member {email}.");
        var claimsFactory = scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<StaffUser>>();
        var principal = await claimsFactory.CreateAsync(user);
        scope.ServiceProvider.GetRequiredService<TestCurrentUser>().Principal = principal;
        return scope;
    }

    /// <summary>A scope with nobody signed in (public pages, background jobs).</summary>
    public AsyncServiceScope AnonymousScope()
    {
        StartServer();
        return Services.CreateAsyncScope();
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        builder.ConfigureServices(services =>
        {
            // Services resolve the acting user through ICurrentUser; in a test scope it is whoever
            // ScopeForAsync says, otherwise the app's own (authentication state) behaviour.
            services.AddScoped<TestCurrentUser>();
            var appCurrentUser = services.Last(d => d.ServiceType == typeof(ICurrentUser));
            services.Remove(appCurrentUser);
            services.AddScoped(appCurrentUser.ImplementationType!);
            services.AddScoped<ICurrentUser>(provider =>
            {
                var test = provider.GetRequiredService<TestCurrentUser>();
                return test.Principal is null ? (ICurrentUser)provider.GetRequiredService(appCurrentUser.ImplementationType!) : test;
            });
        });
        return base.CreateHost(builder);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            TryDeleteDirectory();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        TryDeleteDirectory();
        GC.SuppressFinalize(this);
    }

    private void TryDeleteDirectory()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a finishing background task: the temp folder is cleaned by the OS.
        }
    }
}

/// <summary>The acting user in a test scope.</summary>
public sealed class TestCurrentUser : ICurrentUser
{
    public ClaimsPrincipal? Principal { get; set; }

    public Task<ClaimsPrincipal> GetPrincipalAsync() => Task.FromResult(Principal ?? new ClaimsPrincipal(new ClaimsIdentity()));
}
