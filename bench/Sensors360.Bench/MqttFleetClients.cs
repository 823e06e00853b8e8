using System.Globalization;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Sensors360.Bench;

/// <summary>
/// A fleet of MQTT devices for (i): one client per sensor, signed in with its own id and key, each publishing one
/// heartbeat per message to <c>sensors/{id}/heartbeat</c> with QoS 1 and sending the next once the broker acknowledged
/// the last (PUBACK).
/// </summary>
public sealed class MqttFleetClients : IAsyncDisposable
{
    readonly List<(long Id, IMqttClient Client)> _clients = [];
    long _acked;
    long _failed;

    public long Acked => Interlocked.Read(ref _acked);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>
    /// Connects every sensor, <paramref name="parallel"/> at a time. A refusal is retried for a minute: the broker asks
    /// Ingestion.Api, which learns of new keys through the bus.
    /// </summary>
    public static async Task<MqttFleetClients> ConnectAsync(Uri broker, IReadOnlyList<(long Id, string Key)> sensors, int parallel, CancellationToken cancellationToken)
    {
        var fleet = new MqttFleetClients();
        var sync = new Lock();
        try
        {
            await Parallel.ForEachAsync(sensors, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken }, async (sensor, token) =>
            {
                var client = await ConnectOneAsync(broker, sensor.Id, sensor.Key, token);
                lock (sync)
                {
                    fleet._clients.Add((sensor.Id, client));
                }
            });
            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every client publishes as fast as acknowledged until <paramref name="until"/>.</summary>
    public Task PublishUntilAsync(DateTimeOffset until, CancellationToken cancellationToken) =>
        Task.WhenAll(_clients.Select(c => Task.Run(() => PublishLoopAsync(c.Id, c.Client, until, cancellationToken), cancellationToken)));

    async Task PublishLoopAsync(long id, IMqttClient client, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var topic = $"sensors/{id}/heartbeat";
        var last = DateTimeOffset.MinValue;
        while (DateTimeOffset.UtcNow < until && !cancellationToken.IsCancellationRequested)
        {
            // One row per sensor and timestamp is stored: each heartbeat gets a millisecond of its own.
            var now = DateTimeOffset.UtcNow;
            last = now > last ? now : last.AddMilliseconds(1);
            var payload = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $$"""{"sensorId":{{id}},"timestamp":"{{last.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}}"}"""));
            var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                var result = await client.PublishAsync(message, timeout.Token);
                Interlocked.Increment(ref result.IsSuccess ? ref _acked : ref _failed);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A client the broker closed (or that timed out) stops: the count of failures says so.
                Interlocked.Increment(ref _failed);
                return;
            }
        }
    }

    static async Task<IMqttClient> ConnectOneAsync(Uri broker, long id, string key, CancellationToken cancellationToken)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithCredentials(id.ToString(CultureInfo.InvariantCulture), key)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId($"bench-{id}")
            .WithCleanSession()
            .WithTimeout(TimeSpan.FromSeconds(30))
            .Build();
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            var result = await client.ConnectAsync(options, cancellationToken);
            if (result.ResultCode == MqttClientConnectResultCode.Success)
            {
                return client;
            }
            client.Dispose();
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new InvalidOperationException($"The broker refused sensor {id}: {result.ResultCode}.");
            }
            await Task.Delay(500, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_clients.Select(async c =>
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await c.Client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // already gone
            }
            c.Client.Dispose();
        }));
    }
}
