using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sensors360.Messaging;

namespace Sensors360.IntegrationTests;

/// <summary>A message only the tests send. <see cref="Poison"/>: its consumer always throws.</summary>
public sealed record BusTestMessage(Guid Id, bool Poison = false);

/// <summary>Remembers every <see cref="BusTestMessage"/> its consumer was given, once per attempt.</summary>
public sealed class BusTestLog
{
    public ConcurrentQueue<BusTestMessage> Attempts { get; } = new();

    public int AttemptsOf(Guid id) => Attempts.Count(m => m.Id == id);
}

public sealed class BusTestConsumer(BusTestLog log) : IConsumer<BusTestMessage>
{
    public Task Consume(ConsumeContext<BusTestMessage> context)
    {
        log.Attempts.Enqueue(context.Message);
        return context.Message.Poison
            ? throw new InvalidOperationException($"{context.Message.Id} is poison")
            : Task.CompletedTask;
    }
}

/// <summary>
/// A host of the test's own that joins the bus as the services do, through the product's <c>AddSensorsMessaging</c>,
/// from the settings given (connection string included), with <see cref="BusTestConsumer"/> on its own endpoint.
/// </summary>
public sealed class ServiceBusHost : IAsyncDisposable
{
    readonly IHost _host;

    ServiceBusHost(IHost host) => _host = host;

    public IBusControl Bus => _host.Services.GetRequiredService<IBusControl>();

    public BusTestLog Log => _host.Services.GetRequiredService<BusTestLog>();

    /// <param name="settings">Configuration, e.g. <c>ConnectionStrings:messaging</c>.</param>
    /// <param name="endpoint">The durable queue <see cref="BusTestConsumer"/> receives from.</param>
    /// <param name="configureBus">More consumers or endpoints.</param>
    public static async Task<ServiceBusHost> StartAsync(IReadOnlyDictionary<string, string?> settings, string endpoint,
        Action<IBusRegistrationConfigurator>? configureBus = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<BusTestLog>();
        builder.AddSensorsMessaging(bus =>
        {
            // Retried in memory like the worker's consumers: a poison message reaches the _error queue without
            // ever going back to the broker.
            bus.AddConsumer<BusTestConsumer>(consumer => consumer.UseMessageRetry(retry => retry.Immediate(2)))
                .Endpoint(e => e.Name = endpoint);
            configureBus?.Invoke(bus);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new ServiceBusHost(host);
    }

    /// <summary>Whether the bus connected and every endpoint is receiving within <paramref name="timeout"/>.</summary>
    public Task<bool> WaitUntilHealthyAsync(TimeSpan timeout) =>
        Poll.UntilAsync(() => Task.FromResult(Bus.CheckHealth().Status == BusHealthStatus.Healthy), timeout);

    /// <summary>Sends to <paramref name="queue"/> as the services send to a durable queue.</summary>
    public async Task SendAsync<T>(string queue, T message) where T : class
    {
        var options = _host.Services.GetRequiredService<IOptions<MessagingOptions>>().Value;
        var endpoint = await Bus.GetSendEndpoint(options.SendAddress(queue));
        await endpoint.Send(message, context => context.SetMandatory(), new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    /// <summary>One amqp:// URI of the <c>messaging</c> connection string, for <paramref name="node"/>.</summary>
    public static string NodeUri(BrokerAddress broker, BrokerNode node) =>
        $"amqp://{Uri.EscapeDataString(broker.UserName)}:{Uri.EscapeDataString(broker.Password)}@{node}";
}
