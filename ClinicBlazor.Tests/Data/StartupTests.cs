using ClinicBlazor.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Data;

public sealed class StartupTests
{
    [Fact]
    public void Empty_database_without_demo_or_setup_admin_refuses_to_start_with_a_sentence()
    {
        using var app = new ClinicAppFactory().With("Demo:Seed", "false");

        var exception = Assert.ThrowsAny<Exception>(() => app.StartServer());

        Assert.Contains("set Setup:AdminEmail and Setup:AdminPassword", exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_database_with_setup_admin_gets_that_admin_and_nothing_else()
    {
        await using var app = new ClinicAppFactory()
            .With("Demo:Seed", "false")
            .With("Setup:AdminEmail", "manager@newclinic.example")
            .With("Setup:AdminPassword", "First#Admin2026");

        await using var scope = app.AnonymousScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ClinicBlazor.Features.Identity.StaffUser>>();
        var admin = await users.FindByEmailAsync("manager@newclinic.example");

        Assert.NotNull(admin);
        Assert.True(await users.IsInRoleAsync(admin, "Admin"));
        Assert.Single(users.Users);
    }
}
