using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Sensors360.IntegrationTests;

/// <summary>A device on the started system's MQTT listener (MQTTnet): what it publishes, and what it hears back.</summary>
public sealed class MqttDevice : IAsyncDisposable
{
    readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    public ConcurrentQueue<(string Topic, string Payload)> Received { get; } = new();

    public bool IsConnected => _client.IsConnected;

    /// <summary>The MQTT listener of the app's first broker node.</summary>
    public static Uri Address(DistributedApplication app) => app.GetEndpoint("messaging", "mqtt");

    /// <summary>
    /// Connects, or throws <see cref="MqttRefusedException"/> with the broker's CONNACK code when it refuses. With
    /// <paramref name="tls"/>, over TLS to the "mqtts" listener, trusting exactly that certificate.
    /// </summary>
    public static async Task<MqttDevice> ConnectAsync(DistributedApplication app, string userName, string password,
        MqttProtocolVersion version = MqttProtocolVersion.V311, X509Certificate2? tls = null) =>
        await ConnectAsync(tls is null ? Address(app) : app.GetEndpoint("messaging", "mqtts"), userName, password, version, tls);

    public static async Task<MqttDevice> ConnectAsync(Uri address, string userName, string password,
        MqttProtocolVersion version = MqttProtocolVersion.V311, X509Certificate2? tls = null)
    {
        var device = new MqttDevice();
        device._client.ApplicationMessageReceivedAsync += e =>
        {
            device.Received.Enqueue((e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString()));
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(address.Host, address.Port)
            .WithTlsOptions(o => o.UseTls(tls is not null).WithCertificateValidationHandler(e =>
                e.Certificate is not null && tls is not null && e.Certificate.GetCertHashString() == tls.GetCertHashString()))
            .WithCredentials(userName, password)
            .WithProtocolVersion(version)
            .WithClientId($"test-{Guid.NewGuid():N}")
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var result = await device._client.ConnectAsync(options, cts.Token);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new MqttRefusedException(result.ResultCode);
            }
            return device;
        }
        catch
        {
            device._client.Dispose();
            throw;
        }
    }

    /// <summary>Publishes with QoS 1: returns once the broker acknowledged it (PUBACK).</summary>
    public async Task PublishAsync(string topic, string payload)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes(payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        var result = await _client.PublishAsync(message, cts.Token);
        Assert.True(result.IsSuccess, $"publish to {topic}: {result.ReasonCode} {result.ReasonString}");
    }

    public async Task SubscribeAsync(string topic)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync();
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                // already gone
            }
        }
        _client.Dispose();
    }
}

/// <summary>The broker refused the connection, with this CONNACK code.</summary>
public sealed class MqttRefusedException(MqttClientConnectResultCode code) : Exception($"the broker refused the connection: {code}")
{
    public MqttClientConnectResultCode Code { get; } = code;
}
