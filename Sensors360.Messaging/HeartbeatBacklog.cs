using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Sensors360.Contracts;

namespace Sensors360.Messaging;

/// <summary>Settings of the heartbeat backlog probe (section <c>HeartbeatBacklog</c>), for every service that runs it.</summary>
public sealed class HeartbeatBacklogOptions
{
    public const string Section = "HeartbeatBacklog";

    /// <summary>How often the queue is read. One passive declare costs the broker about as much as a ping.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan ProbePeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Longest wait for one reading (connect, open a channel, declare) before the backlog counts as unknown. A broker
    /// that accepts connections but never answers a new one takes 5 s more (RabbitMQ.Client's fixed wait for a
    /// failed connection to close); the reading is unknown throughout, never a stale count.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>What the probe knows of the queue: a count, or why it has none.</summary>
public enum BacklogState
{
    /// <summary>The service has just started; the first reading is under way.</summary>
    NotReadYet,

    /// <summary><see cref="BacklogReading.ReadyMessages"/> is the count the broker gave at <see cref="BacklogReading.ReadAt"/>.</summary>
    Read,

    /// <summary>The broker answered that the queue does not exist: nobody has declared it yet, so nothing waits.</summary>
    QueueMissing,

    /// <summary>No answer: the broker is down, refused the connection, or did not answer in time.</summary>
    Unreachable,
}

/// <summary>
/// One reading of the heartbeats queue. <see cref="ReadyMessages"/> and <see cref="ReadAt"/> are null unless
/// <see cref="State"/> is <see cref="BacklogState.Read"/>; <see cref="Problem"/> then says why.
/// </summary>
public readonly record struct BacklogReading(BacklogState State, long? ReadyMessages, DateTimeOffset? ReadAt, string? Problem);

/// <summary>
/// How many messages wait in the durable <c>heartbeats</c> queue: a passive declare over a connection of its own,
/// every <see cref="HeartbeatBacklogOptions.ProbePeriod"/> (1 s). It counts <em>ready</em> messages, those no
/// consumer holds yet — Monitor.Worker's prefetched and in-flight batches are not included — so it is the work
/// waiting beyond what the worker is doing now. Ingestion.Api refuses heartbeats while it is over a bound;
/// Monitor.Worker can read its own lag from it.
/// </summary>
/// <remarks>
/// The probe never throws into the host. When a reading fails (broker down or restarting, queue not declared yet,
/// no answer within <see cref="HeartbeatBacklogOptions.ReadTimeout"/>) the backlog becomes unknown as soon as the
/// client library gives the call up, never left at an old count; the next period tries again over a fresh channel
/// (a passive declare of a missing queue makes the broker close the channel with 404) or a fresh connection.
/// Its own connection, not MassTransit's, so a reading that waits for an answer never delays a publish, nor the
/// other way round. Steady state: one broker round trip per period, no allocation beyond the client library's own
/// for that call.
/// </remarks>
/// </remarks>
public sealed partial class HeartbeatBacklog : BackgroundService
{
    readonly ConnectionFactory _factory;
    readonly IReadOnlyList<AmqpTcpEndpoint> _endpoints;
    readonly TimeSpan _period;
    readonly TimeSpan _readTimeout;
    readonly TimeProvider _clock;
    readonly ILogger<HeartbeatBacklog> _logger;
    readonly string _queueMissing;
    readonly Lock _lock = new();
    BacklogReading _current = new(BacklogState.NotReadYet, null, null, "not read yet");
    IConnection? _connection;
    IChannel? _channel;

    /// <param name="broker">
    /// The <c>messaging</c> broker. Each connection tries its nodes in random order (RabbitMQ.Client's own) until one
    /// accepts, all within one <see cref="HeartbeatBacklogOptions.ReadTimeout"/>.
    /// </param>
    /// <param name="queue">The queue to read: the heartbeats queue unless a test reads one of its own.</param>
    public HeartbeatBacklog(BrokerAddress broker, IOptions<HeartbeatBacklogOptions> options, TimeProvider clock,
        ILogger<HeartbeatBacklog> logger, string queue = QueueNames.Heartbeats)
    {
        _period = options.Value.ProbePeriod;
        _readTimeout = options.Value.ReadTimeout;
        _endpoints = broker.Endpoints;
        _factory = broker.CreateConnectionFactory();
        // Recovery is ours: each period reopens what is closed. The client's own recovery would not reopen a
        // channel the broker closed for a 404, and would retry on its own schedule besides ours.
        _factory.AutomaticRecoveryEnabled = false;
        _factory.TopologyRecoveryEnabled = false;
        // The client's own timeouts, as cancelling its handshake is not always honoured at once.
        _factory.RequestedConnectionTimeout = _readTimeout;
        _factory.HandshakeContinuationTimeout = _readTimeout;
        _factory.ContinuationTimeout = _readTimeout;
        _factory.ClientProvidedName = $"{AppDomain.CurrentDomain.FriendlyName} heartbeat backlog probe";
        _clock = clock;
        _logger = logger;
        Queue = queue;
        _queueMissing = $"the queue '{queue}' does not exist yet";
    }

    /// <summary>The queue this probe reads.</summary>
    public string Queue { get; }

    /// <summary>The latest reading, whole (count, time and state from the same read).</summary>
    public BacklogReading Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    /// <summary>Ready messages at the latest reading; null when unknown (see <see cref="Current"/> for why).</summary>
    public long? ReadyMessages => Current.ReadyMessages;

    /// <summary>When the latest count was read; null when unknown.</summary>
    public DateTimeOffset? ReadAt => Current.ReadAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();   // the first reading must not hold up the host's start
        using var timer = new PeriodicTimer(_period, _clock);
        // One timeout source for every reading, reset each time (a new one only after a timeout fired).
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        try
        {
            do
            {
                if (!timeout.TryReset())
                {
                    timeout.Dispose();
                    timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                }
                timeout.CancelAfter(_readTimeout);
                await ReadAsync(timeout.Token, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            timeout.Dispose();
            await CloseAsync(channelOnly: false);
        }
    }

    async Task ReadAsync(CancellationToken timeout, CancellationToken stoppingToken)
    {
        try
        {
            if (_connection is not { IsOpen: true })
            {
                await CloseAsync(channelOnly: false);
                _connection = await _factory.CreateConnectionAsync(_endpoints, timeout);
            }
            if (_channel is not { IsOpen: true })
            {
                await CloseAsync(channelOnly: true);
                _channel = await _connection.CreateChannelAsync(cancellationToken: timeout);
            }
            var queue = await _channel.QueueDeclarePassiveAsync(Queue, timeout);
            Record(new(BacklogState.Read, queue.MessageCount, _clock.GetUtcNow(), null));
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == Constants.NotFound)
        {
            // The broker closed the channel; the connection is fine. The next reading opens a new channel.
            Record(new(BacklogState.QueueMissing, null, null, _queueMissing));
            await CloseAsync(channelOnly: true);
        }
        catch (Exception e)
        {
            if (stoppingToken.IsCancellationRequested)
            {
                return;   // stopping: whatever failed, the loop ends and closes the connection
            }
            var problem = e is OperationCanceledException
                ? $"RabbitMQ did not answer within {_readTimeout.TotalSeconds:0.#} s"
                : $"RabbitMQ is unreachable: {e.Message}";
            Record(new(BacklogState.Unreachable, null, null, problem));
            await CloseAsync(channelOnly: false);
        }
    }

    void Record(BacklogReading reading)
    {
        BacklogState before;
        lock (_lock)
        {
            before = _current.State;
            _current = reading;
        }
        if (reading.State == before)
        {
            return;   // logged when the state changes, not every period
        }
        switch (reading.State)
        {
            case BacklogState.Read:
                LogReading(_logger, Queue, reading.ReadyMessages!.Value);
                break;
            case BacklogState.QueueMissing:
                LogQueueMissing(_logger, Queue);
                break;
            default:
                LogUnreachable(_logger, Queue, reading.Problem!);
                break;
        }
    }

    async Task CloseAsync(bool channelOnly)
    {
        var channel = _channel;
        _channel = null;
        var connection = channelOnly ? null : _connection;
        if (!channelOnly)
        {
            _connection = null;
        }
        try
        {
            if (channel is not null)
            {
                await channel.DisposeAsync();
            }
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
        catch (Exception e)
        {
            // Closing what is already broken may fail too; the next reading starts afresh either way.
            LogCloseFailed(_logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backlog probe: {ReadyMessages} messages ready in queue '{Queue}'")]
    static partial void LogReading(ILogger logger, string queue, long readyMessages);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backlog probe: queue '{Queue}' does not exist yet; its backlog is unknown until it is declared")]
    static partial void LogQueueMissing(ILogger logger, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backlog probe cannot read queue '{Queue}' ({Problem}); its backlog is unknown until it can")]
    static partial void LogUnreachable(ILogger logger, string queue, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Backlog probe: closing its connection failed")]
    static partial void LogCloseFailed(ILogger logger, Exception exception);
}
