using Microsoft.Extensions.Configuration;

namespace Sensors360.AppHost;

public enum TopologyMode
{
    /// <summary>One of everything.</summary>
    Single,

    /// <summary>
    /// Replicas of every service, a three-node RabbitMQ cluster with quorum queues, and a PostgreSQL primary with a
    /// streaming hot standby.
    /// </summary>
    Ha,
}

/// <summary>The <c>Topology</c> configuration section of the AppHost.</summary>
/// <param name="Replicas">How many instances of each service run (1 in <see cref="TopologyMode.Single"/>).</param>
public sealed record TopologyOptions(TopologyMode Mode, int Replicas)
{
    public const string Section = "Topology";
    public const int BrokerNodes = 3;
    public const int DefaultReplicas = 2;

    public bool IsHa => Mode == TopologyMode.Ha;

    public static TopologyOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var mode = TopologyMode.Single;
        if (section["Mode"] is { Length: > 0 } modeText && !Enum.TryParse(modeText, ignoreCase: true, out mode))
        {
            throw new InvalidOperationException($"{Section}:Mode must be single or ha; got '{modeText}'.");
        }

        var replicas = mode == TopologyMode.Ha ? DefaultReplicas : 1;
        if (section["Replicas"] is { Length: > 0 } replicasText)
        {
            if (mode != TopologyMode.Ha)
            {
                throw new InvalidOperationException($"{Section}:Replicas applies to {Section}:Mode=ha only.");
            }
            if (!int.TryParse(replicasText, out replicas) || replicas is < 2 or > 16)
            {
                throw new InvalidOperationException($"{Section}:Replicas must be a whole number from 2 to 16; got '{replicasText}'.");
            }
        }
        return new TopologyOptions(mode, replicas);
    }
}
