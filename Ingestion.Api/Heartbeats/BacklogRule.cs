using Microsoft.Extensions.Hosting;
using Sensors360.Contracts;
using Sensors360.Messaging;

namespace Ingestion.Api.Heartbeats;

/// <summary>The monitor's backlog above the bound: how many messages wait, and the bound they exceed.</summary>
public readonly record struct BacklogExcess(long ReadyMessages, int Bound);

/// <summary>
/// Backpressure. While the latest reading of the heartbeats queue is above <c>Ingestion:MaxBacklogMessages</c>, the
/// monitor is behind and every heartbeat request is refused with 503 before any work is done, so the queue stops
/// growing and senders wait (Retry-After) instead of piling up work nobody will store soon. An unknown reading
/// refuses nothing: the probe failing alone is no reason to turn sensors away, and when the broker itself is down
/// the send's confirm already answers 503.
/// </summary>
public static class BacklogRule
{
    /// <summary>The excess, or null when heartbeats may be accepted (at or below the bound, or unknown).</summary>
    public static BacklogExcess? Excess(BacklogReading reading, int bound) =>
        reading.ReadyMessages is { } ready && ready > bound ? new BacklogExcess(ready, bound) : null;

    /// <summary>The refusal's <c>detail</c>: what is wrong, by how much, and when to come back.</summary>
    public static string Detail(BacklogExcess excess, int retryAfterSeconds) =>
        $"The monitor is behind: {excess.ReadyMessages:N0} messages (batches of heartbeats) wait in the '{QueueNames.Heartbeats}' "
        + $"queue, more than the bound of {excess.Bound:N0}. Nothing was accepted; send the same request again in "
        + $"{retryAfterSeconds} s (Retry-After).";
}
