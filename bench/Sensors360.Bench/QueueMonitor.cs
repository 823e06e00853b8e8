using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using RabbitMQ.Client;
using Sensors360.Contracts;
using Sensors360.Messaging;

namespace Sensors360.Bench;

/// <summary>The <c>heartbeats</c> queue at one moment, in messages (each holds one micro-batch of up to ~1,000 heartbeats).</summary>
/// <param name="Ready">Waiting for a consumer: from a passive declare, i.e. the broker's count right now.</param>
/// <param name="Unacked">Delivered to the worker and not yet acknowledged (its prefetch): from the management API, whose
/// queue statistics are refreshed every 5 s.</param>
/// <param name="Published">Messages published to the queue since it was declared (management API, same refresh); null if unknown.</param>
public sealed record QueueSample(DateTimeOffset At, long Ready, long Unacked, long? Published)
{
    public long Depth => Ready + Unacked;
}

/// <summary>What the queue did during a load's measured part.</summary>
/// <param name="LoadMessagesPerSecond">"One second of load" in messages: published per second during the measured part.</param>
public sealed record QueueDepthSummary(long Max, long Final, double? LoadMessagesPerSecond)
{
    /// <summary>The final depth in seconds of load; null when the publish rate is unknown.</summary>
    public double? FinalSeconds => LoadMessagesPerSecond is > 0 ? Final / LoadMessagesPerSecond : null;

    /// <summary>Bounded: what is left at the end is no more than one second of load.</summary>
    public bool Bounded => FinalSeconds is { } seconds ? seconds <= 1 : Final == 0;

    public override string ToString() => FinalSeconds is { } seconds
        ? $"queue at the end {Final:#,0} messages = {seconds:0.0} s of load ({LoadMessagesPerSecond:#,0.#} messages/s), max {Max:#,0}"
        : $"queue at the end {Final:#,0} messages, max {Max:#,0} (publish rate unknown)";
}

/// <summary>
/// Watches the depth (ready + unacknowledged) of the <c>heartbeats</c> queue that Ingestion.Api fills and
/// Monitor.Worker drains; samples it every second during a load, and empties it between scenarios.
/// </summary>
public sealed class QueueMonitor : IAsyncDisposable
{
    readonly IConnection _connection;
    readonly IChannel _channel;
    readonly HttpClient _management;

    QueueMonitor(IConnection connection, IChannel channel, HttpClient management) =>
        (_connection, _channel, _management) = (connection, channel, management);

    public static async Task<QueueMonitor> ConnectAsync(BenchSystem system, CancellationToken cancellationToken)
    {
        var broker = BrokerAddress.Parse(await system.ConnectionStringAsync("messaging"));
        var connection = await broker.CreateConnectionFactory().CreateConnectionAsync(broker.Endpoints, cancellationToken);
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var management = new HttpClient { BaseAddress = system.App.GetEndpoint("messaging", "management"), Timeout = TimeSpan.FromSeconds(5) };
        management.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{broker.UserName}:{broker.Password}")));
        return new QueueMonitor(connection, channel, management);
    }

    public async Task<QueueSample> SampleAsync(CancellationToken cancellationToken)
    {
        var ready = (await _channel.QueueDeclarePassiveAsync(QueueNames.Heartbeats, cancellationToken)).MessageCount;
        long unacked = 0;
        long? published = null;
        try
        {
            using var response = await _management.GetAsync($"/api/queues/%2F/{QueueNames.Heartbeats}", cancellationToken);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var queue = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                var root = queue.RootElement;
                unacked = root.TryGetProperty("messages_unacknowledged", out var u) ? u.GetInt64() : 0;
                published = root.TryGetProperty("message_stats", out var stats) && stats.TryGetProperty("publish", out var p) ? p.GetInt64() : 0;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The management API is slow under load now and then: this sample has the live ready count only.
        }
        return new QueueSample(DateTimeOffset.UtcNow, ready, unacked, published);
    }

    /// <summary>Samples every second until the returned sampling is stopped.</summary>
    public Sampling StartSampling(TimeSpan period) => new(this, period);

    /// <summary>
    /// Drops the messages waiting in the queue (a saturating run's backlog, bench data that would otherwise be stored
    /// for minutes ahead of the next scenario's), then waits until the worker has finished those it holds.
    /// </summary>
    /// <returns>How many were dropped.</returns>
    public async Task<uint> PurgeAsync(CancellationToken cancellationToken)
    {
        var dropped = await _channel.QueuePurgeAsync(QueueNames.Heartbeats, cancellationToken);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        // The unacknowledged count is up to 5 s old: wait for two fresh samples at zero.
        var zeros = 0;
        while (zeros < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            zeros = (await SampleAsync(cancellationToken)).Depth == 0 ? zeros + 1 : 0;
        }
        return dropped;
    }

    /// <summary>Messages waiting in the MQTT devices' queue (<c>mqtt-heartbeats</c>), which Ingestion.Api forwards from.</summary>
    public async Task<uint> MqttReadyAsync(CancellationToken cancellationToken) =>
        (await _channel.QueueDeclarePassiveAsync(QueueNames.MqttHeartbeats, cancellationToken)).MessageCount;

    /// <summary>Drops what MQTT devices left waiting, then the heartbeats queue as <see cref="PurgeAsync"/> does.</summary>
    public async Task<uint> PurgeMqttAsync(CancellationToken cancellationToken) =>
        await _channel.QueuePurgeAsync(QueueNames.MqttHeartbeats, cancellationToken) + await PurgeAsync(cancellationToken);

    /// <summary>Max and final depth between <paramref name="from"/> and <paramref name="to"/>, and the publish rate then.</summary>
    public static QueueDepthSummary Summarize(IReadOnlyList<QueueSample> samples, DateTimeOffset from, DateTimeOffset to)
    {
        var during = samples.Where(s => s.At >= from && s.At <= to).ToList();
        if (during.Count == 0)
        {
            return new QueueDepthSummary(0, 0, null);
        }
        var counted = during.Where(s => s.Published is not null).ToList();
        double? rate = counted.Count >= 2 && (counted[^1].At - counted[0].At).TotalSeconds >= 5
            ? (counted[^1].Published!.Value - counted[0].Published!.Value) / (counted[^1].At - counted[0].At).TotalSeconds
            : null;
        return new QueueDepthSummary(during.Max(s => s.Depth), during[^1].Depth, rate);
    }

    public async ValueTask DisposeAsync()
    {
        _management.Dispose();
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }

    /// <summary>A series of samples taken in the background.</summary>
    public sealed class Sampling : IAsyncDisposable
    {
        readonly ConcurrentQueue<QueueSample> _samples = new();
        readonly CancellationTokenSource _stop = new();
        readonly Task _loop;

        internal Sampling(QueueMonitor monitor, TimeSpan period) => _loop = RunAsync(monitor, period);

        public IReadOnlyList<QueueSample> Samples => [.. _samples];

        async Task RunAsync(QueueMonitor monitor, TimeSpan period)
        {
            using var timer = new PeriodicTimer(period);
            try
            {
                do
                {
                    _samples.Enqueue(await monitor.SampleAsync(_stop.Token));
                }
                while (await timer.WaitForNextTickAsync(_stop.Token));
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }

        /// <returns>The samples taken.</returns>
        public async Task<IReadOnlyList<QueueSample>> StopAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            return Samples;
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }
    }
}
