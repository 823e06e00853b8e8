using System.Collections.Concurrent;
using MassTransit;
using Sensors360.Contracts;
using Sensors360.Messaging;

namespace Sensors360.IntegrationTests;

/// <summary>
/// Listens on the app's real broker, on a temporary queue of its own, for the monitor's events, and remembers
/// each with the address of the bus instance that sent it (each state change of a batch on its own).
/// </summary>
public sealed class BusProbe : IAsyncDisposable
{
    public sealed record Received<T>(T Message, Uri? Source, DateTimeOffset At);

    readonly IBusControl _bus;

    public ConcurrentQueue<Received<SensorStateChanged>> StateChanges { get; } = new();

    public ConcurrentQueue<Received<StaleSensorsDetected>> Stale { get; } = new();

    public ConcurrentQueue<Received<SensorStatusSnapshot>> Snapshots { get; } = new();

    public ConcurrentQueue<Received<SensorAtRisk>> AtRisk { get; } = new();

    BusProbe(IBusControl bus) => _bus = bus;

    public static async Task<BusProbe> StartAsync(DistributedApplication app)
    {
        BusProbe? probe = null;
        var bus = await AppBus.CreateAsync(app, rabbit =>
            rabbit.ReceiveEndpoint(new TemporaryEndpointDefinition(), endpoint =>
            {
                endpoint.Handler<SensorStateChangeBatch>(c =>
                {
                    foreach (var item in c.Message.Items)
                    {
                        probe!.StateChanges.Enqueue(new Received<SensorStateChanged>(item.Change, c.SourceAddress, DateTimeOffset.UtcNow));
                    }
                    return Task.CompletedTask;
                });
                endpoint.Handler<StaleSensorsDetected>(c => Record(probe!.Stale, c));
                endpoint.Handler<SensorStatusSnapshot>(c => Record(probe!.Snapshots, c));
                endpoint.Handler<SensorAtRisk>(c => Record(probe!.AtRisk, c));
            }));
        probe = new BusProbe(bus);
        await bus.StartAsync();
        return probe;
    }

    static Task Record<T>(ConcurrentQueue<Received<T>> queue, ConsumeContext<T> context) where T : class
    {
        queue.Enqueue(new Received<T>(context.Message, context.SourceAddress, DateTimeOffset.UtcNow));
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _bus.StopAsync();
}

public static class AppBus
{
    /// <summary>A MassTransit bus (not started) on the app's own broker, signed in as the app's user.</summary>
    public static async Task<IBusControl> CreateAsync(DistributedApplication app, Action<IRabbitMqBusFactoryConfigurator>? configure = null)
    {
        var broker = await app.BrokerAsync();
        return Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(broker);
            configure?.Invoke(rabbit);
        });
    }
}
