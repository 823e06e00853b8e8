using MassTransit;
using Sensors360.Contracts;

namespace Realtime.Gateway.Realtime;

/// <summary>
/// Live heartbeats for followed sensors. While any client here follows a sensor, a temporary queue is bound to the
/// exchange in front of the durable <c>heartbeats</c> queue, so this instance gets a copy of every accepted batch
/// without taking anything from Monitor.Worker. The copy queue is capped (oldest dropped): it is a live view, not a
/// record. With no followers the queue is removed and costs nothing.
/// </summary>
public sealed class HeartbeatTap(IReceiveEndpointConnector connector, RealtimeHub hub, ILogger<HeartbeatTap> logger) : IHostedService
{
    const int MaxQueuedBatches = 1000;
    readonly SemaphoreSlim gate = new(1, 1);
    HostReceiveEndpointHandle? handle;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        hub.FollowersChanged += OnFollowersChanged;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        hub.FollowersChanged -= OnFollowersChanged;
        await gate.WaitAsync(cancellationToken);
        try
        {
            await DisconnectAsync(cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Completes once heartbeats reach this instance if anyone follows a sensor (call after following).</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (hub.HasFollowers && handle is null)
            {
                handle = connector.ConnectReceiveEndpoint(new TemporaryEndpointDefinition(), KebabCaseEndpointNameFormatter.Instance,
                    (_, endpoint) =>
                    {
                        endpoint.ConfigureConsumeTopology = false;
                        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                        {
                            rabbit.Bind(QueueNames.Heartbeats);
                            rabbit.SetQueueArgument("x-max-length", MaxQueuedBatches);
                            rabbit.PrefetchCount = 16;
                        }
                        endpoint.Handler<HeartbeatsReceived>(context =>
                        {
                            hub.DeliverHeartbeats(context.Message.Items);
                            return Task.CompletedTask;
                        });
                    });
                try
                {
                    await handle.Ready.WaitAsync(cancellationToken);
                }
                catch
                {
                    await DisconnectAsync(CancellationToken.None);
                    throw;
                }
                logger.LogInformation("Following live heartbeats");
            }
            else if (!hub.HasFollowers)
            {
                await DisconnectAsync(cancellationToken);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    void OnFollowersChanged() => _ = Task.Run(async () =>
    {
        try
        {
            await EnsureAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not (un)bind the live heartbeat queue; the next subscription retries");
        }
    });

    async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        if (handle is not null)
        {
            await handle.StopAsync(cancellationToken);
            handle = null;
            logger.LogInformation("Stopped following live heartbeats");
        }
    }
}
