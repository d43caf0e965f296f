using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClinicBlazor.Data.PostgreSql;

/// <summary>
/// /healthz's "listener" entry on PostgreSQL. Degraded, not unhealthy, while it reconnects: the node
/// still serves and delivers; only its open views miss the other nodes' changes meanwhile.
/// </summary>
internal sealed class ListenerHealthCheck(PostgreSqlSignals signals) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = signals.State;
        var since = state.SinceUtc is { } at ? $" (since {at:yyyy-MM-dd HH:mm:ss} UTC)" : "";
        return Task.FromResult(state.Listening
            ? HealthCheckResult.Healthy($"Listening for the other nodes' signals{since}.")
            : HealthCheckResult.Degraded($"{state.Description}{since}"));
    }
}
