using System.Text.Json;
using ClinicBlazor.Data;
using ClinicBlazor.Data.PostgreSql;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Tests.Features.Notifications;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace ClinicBlazor.Tests.Data.PostgreSql;

/// <summary>Two nodes on one PostgreSQL: a change on one reaches the other's live views.</summary>
public sealed class SignalsBetweenNodesTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly TwoNodes nodes = new(DatabaseProvider.PostgreSql);

    private ClinicAppFactory NodeA => nodes.A;

    private ClinicAppFactory NodeB => nodes.B;

    public async Task InitializeAsync()
    {
        nodes.Start();
        await ListeningAsync(NodeA);
        await ListeningAsync(NodeB);
    }

    public async Task DisposeAsync() => await nodes.DisposeAsync();

    [Fact]
    public async Task A_cancellation_on_node_A_reaches_a_calendar_open_on_node_B()
    {
        var appointmentId = await NodeA.NextBookedAppointmentIdAsync(DemoSignIns.Practitioner.Email);
        var seenOnB = new TaskCompletionSource<CalendarChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = NodeB.Services.GetRequiredService<CalendarNotifier>().Subscribe(change =>
        {
            if (change.AppointmentId == appointmentId)
            {
                seenOnB.TrySetResult(change);
            }

            return Task.CompletedTask;
        });

        await using (var scope = await NodeA.ScopeForAsync(DemoSignIns.Receptionist.Email))
        {
            var cancelled = await scope.ServiceProvider.GetRequiredService<AppointmentService>()
                .CancelAsync(new CancelAppointment(appointmentId, CancellationReason.Sick));
            Assert.True(cancelled.Succeeded, cancelled.Error);
        }

        var change = await seenOnB.Task.WaitAsync(Patience);
        Assert.Equal(CalendarChangeKind.Cancelled, change.Kind);
        Assert.Equal(DateTimeKind.Utc, change.StartUtc.Kind);
    }

    [Fact]
    public async Task A_change_on_node_A_reaches_node_A_views_once_not_again_through_the_database()
    {
        var appointmentId = await NodeA.NextBookedAppointmentIdAsync(DemoSignIns.SecondPractitioner.Email);
        var seenOnA = 0;
        var seenOnB = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onA = NodeA.Services.GetRequiredService<CalendarNotifier>().Subscribe(change =>
        {
            if (change.AppointmentId == appointmentId)
            {
                Interlocked.Increment(ref seenOnA);
            }

            return Task.CompletedTask;
        });
        using var onB = NodeB.Services.GetRequiredService<CalendarNotifier>().Subscribe(change =>
        {
            if (change.AppointmentId == appointmentId)
            {
                seenOnB.TrySetResult();
            }

            return Task.CompletedTask;
        });

        var signalsA = NodeA.Services.GetRequiredService<PostgreSqlSignals>();
        var heardBefore = signalsA.Heard;

        await using (var scope = await NodeA.ScopeForAsync(DemoSignIns.Receptionist.Email))
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<AppointmentService>()
                .CancelAsync(new CancelAppointment(appointmentId, CancellationReason.Work))).Succeeded);
        }

        await seenOnB.Task.WaitAsync(Patience);
        using (var patience = new CancellationTokenSource(Patience))
        {
            // Node A's own NOTIFY comes back to node A's listener too, which must pass it over.
            while (signalsA.Heard == heardBefore)
            {
                await Task.Delay(20, patience.Token);
            }
        }

        Assert.Equal(1, Volatile.Read(ref seenOnA));
    }

    [Fact]
    public async Task A_due_time_signalled_on_node_A_wakes_the_dispatcher_of_node_B_for_that_time()
    {
        var schedulerOfB = await NodeB.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var due = NodeA.UtcNow.AddMinutes(10);

        await NodeA.Services.GetRequiredService<NoticeSignal>().DeliveriesDueAsync(due);

        // On node B's scheduler, at the instant node A named (ten minutes from now; the nodes share a clock).
        using var patience = new CancellationTokenSource(Patience);
        while (await schedulerOfB.GetTrigger(NoticeSignal.SignalTrigger, patience.Token) is not { } trigger
               || trigger.StartTimeUtc < NodeB.UtcNow.AddMinutes(9))
        {
            await Task.Delay(20, patience.Token);
        }
    }

    [Fact]
    public async Task Healthz_reports_the_listener_of_each_node()
    {
        foreach (var node in new[] { NodeA, NodeB })
        {
            // Anonymous callers get the status word; an admin gets each check's.
            using var admin = new SignInClient(node.ServerAddress);
            await admin.SignInAsync(DemoSignIns.Admin.Email, DemoSignIns.Admin.Password);
            using var health = JsonDocument.Parse(await admin.Http.GetStringAsync("/healthz"));

            var listener = health.RootElement.GetProperty("checks").GetProperty("listener");
            Assert.Equal("Healthy", listener.GetProperty("status").GetString());
        }
    }

    private static async Task ListeningAsync(ClinicAppFactory node)
    {
        var signals = node.Services.GetRequiredService<PostgreSqlSignals>();
        using var patience = new CancellationTokenSource(Patience);
        while (!signals.State.Listening)
        {
            await Task.Delay(50, patience.Token);
        }
    }
}
