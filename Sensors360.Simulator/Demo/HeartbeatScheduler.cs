using System.Threading.Channels;
using Sensors360.Simulator.Api;

namespace Sensors360.Simulator.Demo;

/// <summary>
/// Sends every sensor's heartbeats on its own cadence through one dispatcher: a priority queue of next-due times,
/// a bounded number of requests in flight, and each sensor rescheduled only once its previous request has been
/// answered, so a slow or failing API never makes beats pile up.
/// </summary>
/// <remarks>
/// <see cref="RunAsync"/> is the production loop. Tests drive the same steps with a manual clock:
/// <see cref="DispatchDueAsync"/> sends what is due now, <see cref="WhenIdleAsync"/> waits for the answers.
/// </remarks>
public sealed partial class HeartbeatScheduler
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    private readonly IHeartbeatSender _client;
    private readonly SimulatorStats _stats;
    private readonly SimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ThrottledLog _throttledLog;

    // The queue and the in-flight map belong to the dispatcher; answers come back through the channel.
    private readonly PriorityQueue<SensorRuntime, DateTimeOffset> _queue = new();
    private readonly Dictionary<int, Task> _inFlight = [];
    private readonly Channel<(SensorRuntime Sensor, DateTimeOffset? Next)> _answered =
        Channel.CreateUnbounded<(SensorRuntime, DateTimeOffset?)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _fleetRejected = new();
    private readonly Lock _pauseLock = new();
    private DateTimeOffset _pausedUntil;
    private volatile bool _keysProven;
    private int _rejecting;
    private bool _reportedAllDone;

    /// <param name="keysProven">
    /// The keys worked before (a fleet from an earlier run), so an unknown key means the registry lost them. For a
    /// fleet registered just now, keys count as proven after the first accepted heartbeat.
    /// </param>
    public HeartbeatScheduler(
        IReadOnlyList<SensorRuntime> sensors, bool keysProven, IHeartbeatSender client, SimulatorStats stats,
        SimulatorOptions options, TimeProvider time, ILogger logger)
    {
        _client = client;
        _stats = stats;
        _options = options;
        _time = time;
        _logger = logger;
        _throttledLog = new ThrottledLog(time, TimeSpan.FromMinutes(1));
        _keysProven = keysProven;
        _slots = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);

        var now = time.GetUtcNow();
        foreach (var sensor in sensors)
        {
            if (!sensor.Stopped && sensor.Behavior.FirstBeat(now) is { } first)
            {
                _queue.Enqueue(sensor, first);
            }
        }
    }

    /// <summary>Set when the ingestion API stopped knowing this fleet's keys: the fleet must be replaced.</summary>
    public bool FleetRejected => _fleetRejected.IsCancellationRequested;

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled (throws) or the fleet is rejected (returns).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _fleetRejected.Token);
        try
        {
            while (true)
            {
                await DispatchDueAsync(linked.Token);
                await WaitForWorkAsync(linked.Token);
            }
        }
        catch (OperationCanceledException) when (FleetRejected && !cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Requests still in flight were cancelled with the token; they end promptly and never throw.
            await WhenIdleAsync();
        }
    }

    /// <summary>Sends every beat due by now, waiting for a free slot when all are taken. Returns once nothing is due.</summary>
    public async Task DispatchDueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TakeAnswers();
            var now = _time.GetUtcNow();
            if (now < PausedUntil || !_queue.TryPeek(out var sensor, out var due) || due > now)
            {
                return;
            }

            await _slots.WaitAsync(cancellationToken);
            now = _time.GetUtcNow();
            if (now < PausedUntil)
            {
                _slots.Release();
                return;
            }

            // Still the head: only this method touches the queue.
            _queue.Dequeue();

            // Late dispatch (slots full, a pause) must not make a sensor beat after its death or inside a silence.
            var admitted = sensor.Stopped ? null : sensor.Behavior.Admit(now);
            if (admitted != now)
            {
                _slots.Release();
                if (admitted is { } later)
                {
                    _queue.Enqueue(sensor, later);
                }

                continue;
            }

            _inFlight[sensor.Sensor.Number] = SendAsync(sensor, now, cancellationToken);
        }
    }

    /// <summary>Waits until every request in flight has been answered (or abandoned).</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_inFlight.Values.ToArray());

    private DateTimeOffset PausedUntil
    {
        get
        {
            lock (_pauseLock)
            {
                return _pausedUntil;
            }
        }
    }

    private void PauseUntil(DateTimeOffset until)
    {
        lock (_pauseLock)
        {
            if (until > _pausedUntil)
            {
                _pausedUntil = until;
            }
        }
    }

    private void TakeAnswers()
    {
        while (_answered.Reader.TryRead(out var answered))
        {
            _inFlight.Remove(answered.Sensor.Sensor.Number);
            if (answered.Next is { } next)
            {
                _queue.Enqueue(answered.Sensor, next);
            }
        }

        if (_queue.Count == 0 && _inFlight.Count == 0 && !_reportedAllDone)
        {
            _reportedAllDone = true;
            _logger.LogInformation("Every sensor of the fleet is dead or stopped: no more heartbeats to send.");
        }
    }

    private async Task WaitForWorkAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait = Timeout.InfiniteTimeSpan;
        if (_queue.TryPeek(out _, out var due))
        {
            var wakeAt = due > PausedUntil ? due : PausedUntil;
            wait = wakeAt - _time.GetUtcNow();
            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            // Task.Delay refuses waits beyond ~49 days, which a huge DegradeFactor or Retry-After could ask for.
            wait = wait > MaxWait ? MaxWait : wait;
        }

        using var wakeUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var answer = _answered.Reader.WaitToReadAsync(wakeUp.Token).AsTask();
        var timer = Task.Delay(wait, _time, wakeUp.Token);
        await Task.WhenAny(answer, timer);
        await wakeUp.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task SendAsync(SensorRuntime sensor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await _client.SendAsync(sensor.Id, sensor.Key, now, cancellationToken);
            _stats.Record(outcome);
            _answered.Writer.TryWrite((sensor, NextAfter(sensor, outcome, now)));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // A bug must not silently take a sensor out of the simulation.
            _logger.LogError(ex, "Sending a heartbeat for {Tag} failed unexpectedly.", sensor.Sensor.Tag);
            _answered.Writer.TryWrite((sensor, sensor.Behavior.NextBeat(now)));
        }
        finally
        {
            _slots.Release();
        }
    }
}
