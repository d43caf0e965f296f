using System.Collections.Immutable;

namespace ClinicBlazor.Features.Appointments;

public enum CalendarChangeKind
{
    Booked,
    Moved,
    Cancelled,
    Reinstated,
}

/// <summary>Something changed on the calendar; views showing either time range reload those appointments.</summary>
public sealed record CalendarChange(CalendarChangeKind Kind, int AppointmentId, int PractitionerId, DateTime StartUtc, DateTime EndUtc, DateTime? PreviousStartUtc = null, int? PreviousPractitionerId = null);

/// <summary>
/// The one in-process channel for live calendar updates: services publish after commit, open views
/// subscribe in OnInitialized and dispose the subscription. No polling.
/// </summary>
public sealed class CalendarNotifier(ILogger<CalendarNotifier> logger)
{
    private readonly Lock gate = new();
    private ImmutableList<Func<CalendarChange, Task>> subscribers = [];

    public IDisposable Subscribe(Func<CalendarChange, Task> handler)
    {
        lock (gate)
        {
            subscribers = subscribers.Add(handler);
        }

        return new Subscription(this, handler);
    }

    /// <summary>
    /// Set by the PostgreSQL signals (several nodes): every change made on this node also goes to
    /// the others. It only queues the change, so a publishing request never waits for the network.
    /// </summary>
    public Action<CalendarChange>? ToOtherNodes { get; set; }

    public void Publish(CalendarChange change)
    {
        PublishHere(change);
        ToOtherNodes?.Invoke(change);
    }

    /// <summary>Tells this node's open views only: a change another node made and sent here.</summary>
    public void PublishHere(CalendarChange change)
    {
        foreach (var subscriber in subscribers)
        {
            // Each view marshals onto its own circuit; one slow or broken view must not hold up the rest.
            _ = Notify(subscriber, change);
        }
    }

    private async Task Notify(Func<CalendarChange, Task> subscriber, CalendarChange change)
    {
        try
        {
            await subscriber(change);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "A calendar view failed to take a live update");
        }
    }

    private void Unsubscribe(Func<CalendarChange, Task> handler)
    {
        lock (gate)
        {
            subscribers = subscribers.Remove(handler);
        }
    }

    private sealed class Subscription(CalendarNotifier owner, Func<CalendarChange, Task> handler) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Unsubscribe(handler);
            }
        }
    }
}
