using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Sensors360.Messaging;

namespace Ingestion.Api.Heartbeats;

/// <summary>
/// The monitor's backlog on <c>/health</c>: ready messages against <c>Ingestion:MaxBacklogMessages</c>. Degraded
/// (still 200) while heartbeats are refused for it — every replica reads the same queue, so taking them all out of
/// rotation would turn a 503 with Retry-After into connection errors — and while the backlog cannot be read.
/// </summary>
public sealed class BacklogHealthCheck(HeartbeatBacklog backlog, IOptions<IngestionOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Evaluate(backlog.Queue, backlog.Current, options.Value.MaxBacklogMessages));

    public static HealthCheckResult Evaluate(string queue, BacklogReading reading, int bound) => reading switch
    {
        { ReadyMessages: { } ready, ReadAt: { } at } when BacklogRule.Excess(reading, bound) is not null => HealthCheckResult.Degraded(
            $"{ready:N0} messages ready in '{queue}', more than the bound of {bound:N0} (read {at:O}): the monitor is behind "
            + "and heartbeats are refused with 503."),
        { ReadyMessages: { } ready, ReadAt: { } at } => HealthCheckResult.Healthy(
            $"{ready:N0} messages ready in '{queue}' (bound {bound:N0}), read {at:O}."),
        { State: BacklogState.Unreachable } => HealthCheckResult.Degraded(
            $"Backlog unknown: {reading.Problem}. Heartbeats are not refused for that alone (bound {bound:N0} messages)."),
        _ => HealthCheckResult.Healthy($"Backlog unknown: {reading.Problem} (bound {bound:N0} messages)."),
    };
}
