using MassTransit;
using Monitor.Worker.Infrastructure;

namespace Monitor.Worker.IntegrationEvents;

public static class TransitionPublishing
{
    /// <summary>
    /// Publishes each flip as a <c>SensorStateChanged</c> (see <see cref="PublishAllAsync{T}"/>): a fleet coming
    /// online (or back from an outage) flips thousands of sensors in one batch or scan.
    /// </summary>
    public static Task PublishTransitionsAsync(this IPublishEndpoint bus, IReadOnlyList<HeartbeatWriter.Transition> transitions, CancellationToken cancellationToken) =>
        bus.PublishAllAsync(transitions.Select(t => t.ToEvent()).ToList(), cancellationToken);

    /// <summary>
    /// Publishes many messages, up to 64 at once: every publish waits for the broker's confirm, and one after the other
    /// those confirms held a consumer for seconds and stalled storage.
    /// </summary>
    public static Task PublishAllAsync<T>(this IPublishEndpoint bus, IReadOnlyList<T> messages, CancellationToken cancellationToken) where T : class =>
        messages.Count switch
        {
            0 => Task.CompletedTask,
            1 => bus.Publish(messages[0], cancellationToken),
            _ => Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken },
                async (message, ct) => await bus.Publish(message, ct)),
        };
}
