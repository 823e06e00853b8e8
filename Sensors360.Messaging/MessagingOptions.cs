namespace Sensors360.Messaging;

/// <summary>How every service on the bus declares its queues (section <c>Messaging</c>).</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>
    /// Declare every durable queue as a quorum queue, replicated across the RabbitMQ cluster's nodes, instead of a
    /// classic one that lives on one node. Every service of a broker must agree: RabbitMQ refuses to declare an
    /// existing queue with another type, so this cannot be turned on (or off) over queues that already exist.
    /// </summary>
    public bool QuorumQueues { get; set; }

    /// <summary>
    /// Where to send messages for the durable queue <paramref name="queue"/> (a consumer's endpoint). A send to
    /// <c>queue:name</c> makes MassTransit declare that queue, classic and without arguments, on every new channel;
    /// RabbitMQ refuses that over a quorum queue ("inequivalent arg 'x-queue-type'") and MassTransit retries the send
    /// until it times out. With quorum queues the send therefore goes to the endpoint's exchange of the same name,
    /// which declares nothing else; the queue is its consumer's to declare. Send with <c>Mandatory</c> set, so that a
    /// message no queue is bound to yet fails instead of being dropped.
    /// </summary>
    public Uri SendAddress(string queue) => new(QuorumQueues ? $"exchange:{queue}" : $"queue:{queue}");
}
