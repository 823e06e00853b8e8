using Sensors360.AppHost;

namespace Aspire.Hosting;

public static class TopologyExtensions
{
    /// <summary>
    /// In the ha topology the service runs <see cref="TopologyOptions.Replicas"/> times behind one address per
    /// endpoint, and declares its durable queues as quorum queues (replicated on every RabbitMQ node).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithTopology(this IResourceBuilder<ProjectResource> service, TopologyOptions topology) =>
        topology.IsHa
            ? service.WithReplicas(topology.Replicas).WithEnvironment("Messaging__QuorumQueues", "true")
            : service;
}
