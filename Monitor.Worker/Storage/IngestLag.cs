using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Sensors360.Messaging;
using Sensors360.Monitoring.Liveness;

namespace Monitor.Worker.Storage;

/// <summary>This worker's watermark and lag: its <see cref="IngestProgress"/> read against the heartbeats queue's backlog.</summary>
public sealed class IngestLag(IngestProgress progress, HeartbeatBacklog backlog, TimeProvider clock)
{
    /// <summary>Everything received before this moment is stored.</summary>
    public DateTimeOffset Watermark() => progress.Watermark(backlog.Current, DeliveryGap);

    /// <summary>
    /// How long a message may be in neither the broker's count nor a consumer: delivered to this process and not yet
    /// handed to <see cref="IntegrationEvents.HeartbeatsReceivedConsumer"/>. On a busy machine that took more than
    /// 100 ms, long enough for a sensor to be called late with its heartbeat waiting here; a second keeps late calls
    /// within a second of their deadline.
    /// </summary>
    static readonly TimeSpan DeliveryGap = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How far <paramref name="watermark"/> is behind <paramref name="now"/>, in seconds (0 when caught up); null when
    /// heartbeats wait and none has been stored yet, so how far behind is not known.
    /// </summary>
    public static double? Seconds(DateTimeOffset now, DateTimeOffset watermark) =>
        watermark == DateTimeOffset.MinValue ? null : Math.Max(0, (now - watermark).TotalSeconds);

    public double? Seconds() => Seconds(clock.GetUtcNow(), Watermark());

    public static bool IsBehind(double? seconds, TimeSpan behindAfter) => seconds is not { } known || known > behindAfter.TotalSeconds;
}

/// <summary>Degraded while storing is further behind than <see cref="MonitorOptions.BehindAfter"/>.</summary>
public sealed class IngestLagHealthCheck(IngestLag lag, IOptions<MonitorOptions> options) : IHealthCheck
{
    public const string Name = "ingest-lag";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var seconds = lag.Seconds();
        var data = new Dictionary<string, object> { ["lagSeconds"] = seconds is { } known ? Math.Round(known, 1) : "unknown" };
        return Task.FromResult(IngestLag.IsBehind(seconds, options.Value.BehindAfter)
            ? HealthCheckResult.Degraded(seconds is { } behind
                ? $"behind by {behind:0} s"
                : "behind: heartbeats wait in the queue and none is stored yet", data: data)
            : HealthCheckResult.Healthy("caught up", data));
    }
}
