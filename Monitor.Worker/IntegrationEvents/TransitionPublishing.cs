using MassTransit;
using Monitor.Worker.Infrastructure;

namespace Monitor.Worker.IntegrationEvents;

public static class TransitionPublishing
{
    /// <summary>
    /// Publishes each flip as a <c>SensorStateChanged</c>, many at once: every publish waits for the broker's
    /// confirm, and a fleet coming online (or back from an outage) flips thousands of sensors in one batch or scan.
    /// One after the other, those confirms held a consumer for seconds and stalled storage.
    /// </summary>
    public static Task PublishTransitionsAsync(this IPublishEndpoint bus, IReadOnlyList<HeartbeatWriter.Transition> transitions, CancellationToken cancellationToken) =>
        transitions.Count switch
        {
            0 => Task.CompletedTask,
            1 => bus.Publish(transitions[0].ToEvent(), cancellationToken),
            _ => Parallel.ForEachAsync(transitions, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken },
                async (t, ct) => await bus.Publish(t.ToEvent(), ct)),
        };
}
