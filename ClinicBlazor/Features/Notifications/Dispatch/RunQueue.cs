namespace ClinicBlazor.Features.Notifications;

/// <summary>
/// What one run sends, in order, with the run's own retries put back in: an item the provider turned
/// away for a while (a 429) goes again as soon as its backoff is over, ahead of the rest. Its wait
/// passes while the rest of the backlog is sent, instead of every retry (and the retries of retries,
/// with doubled backoffs) queuing behind the whole backlog and leaving the provider idle at the end.
/// Once the list is handed out the run ends; what is still within its backoff is the next run's,
/// which is scheduled for its time. The chunks are read one at a time, as a sender is free.
/// </summary>
internal sealed class RunQueue<T>(IEnumerable<T> due, RunClock clock)
{
    private readonly Queue<T> waiting = new(due);
    private readonly PriorityQueue<T, DateTime> retries = new();
    private readonly Lock gate = new();

    /// <summary>Tried, and to be tried again at <paramref name="dueUtc"/> (the run's clock).</summary>
    public void RetryAt(T item, DateTime dueUtc)
    {
        lock (gate)
        {
            retries.Enqueue(item, dueUtc);
        }
    }

    /// <summary>One item a chunk: a retry whose time has come, else the next of the list; none once the list is done.</summary>
    public IEnumerable<T[]> Chunks()
    {
        while (true)
        {
            T next;
            lock (gate)
            {
                if (retries.TryPeek(out var retry, out var dueUtc) && dueUtc <= clock.UtcNow)
                {
                    next = retries.Dequeue();
                }
                else if (!waiting.TryDequeue(out next!))
                {
                    yield break;
                }
            }

            yield return [next];
        }
    }
}
