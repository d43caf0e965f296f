using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Settings;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ClinicBlazor.Tests.E2E;

/// <summary>Two nodes on one PostgreSQL: a calendar open on node B follows a cancellation made on node A.</summary>
public sealed class CalendarAcrossNodesTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Live = new() { Timeout = 10_000 };

    private readonly TwoNodes nodes = new(DatabaseProvider.PostgreSql);

    private ClinicAppFactory NodeA => nodes.A;

    private ClinicAppFactory NodeB => nodes.B;

    public Task InitializeAsync()
    {
        nodes.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await nodes.DisposeAsync();

    [Fact]
    public async Task A_calendar_open_on_node_B_shows_a_cancellation_made_on_node_A_without_reload()
    {
        var (appointmentId, day) = await UpcomingAppointmentAsync();
        var alexOnB = await browser.SignedInPageAsync(NodeB.ServerAddress, DemoSignIns.SecondReceptionist.Email, DemoSignIns.SecondReceptionist.Password);
        await alexOnB.GotoAsync($"/calendar?view=day&date={day:yyyy-MM-dd}");
        await BrowserFixture.WaitForInteractiveAsync(alexOnB);
        var block = alexOnB.Locator($"[data-appointment-id='{appointmentId}']");
        await Assertions.Expect(block).ToHaveAttributeAsync("data-cancelled", "false");

        await using (var samOnA = await NodeA.ScopeForAsync(DemoSignIns.Receptionist.Email))
        {
            var cancelled = await samOnA.ServiceProvider.GetRequiredService<AppointmentService>()
                .CancelAsync(new CancelAppointment(appointmentId, CancellationReason.Sick));
            Assert.True(cancelled.Succeeded, cancelled.Error);
        }

        await Assertions.Expect(block).ToHaveAttributeAsync("data-cancelled", "true", Live);
        await alexOnB.Context.CloseAsync();
    }

    /// <summary>The next booked appointment at least two hours away, and its day in the clinic's time zone.</summary>
    private async Task<(int Id, DateOnly Day)> UpcomingAppointmentAsync()
    {
        await using var db = await NodeA.CreateDbContextAsync();
        var clinic = await db.Set<Clinic>().AsNoTracking().SingleAsync();
        var after = NodeA.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime.AddHours(2);
        var appointment = await db.Set<Appointment>().AsNoTracking()
            .Where(a => a.Status == AppointmentStatus.Booked && a.StartUtc > after)
            .OrderBy(a => a.StartUtc)
            .FirstAsync();
        return (appointment.Id, DateOnly.FromDateTime(clinic.ToLocal(appointment.StartUtc)));
    }
}
