using Sensors360.Simulator.Api;

namespace Sensors360.Simulator.Load;

/// <summary>Where the load goes and as whom.</summary>
/// <param name="Endpoint">The full URL requests are posted to (for the legacy form, without its query string).</param>
/// <param name="Key">Sent as <c>X-Api-Key</c>; none when null.</param>
/// <param name="SensorIds">The sensors the heartbeats go round.</param>
/// <param name="Legacy">One heartbeat per request in the query string, no body.</param>
public sealed record LoadTarget(Uri Endpoint, string? Key, IReadOnlyList<long> SensorIds, bool Legacy);

/// <summary>Heartbeats stored, as counted in the database.</summary>
/// <param name="DuringMeasurement">Stored between the start and the end of the measured part.</param>
/// <param name="MeasuredSeconds">Between those two counts.</param>
/// <param name="Total">Stored since the load began (after the first request was stored).</param>
/// <param name="Expected">Accepted by the API over the whole load: what should be stored in the end.</param>
/// <param name="Drain">From the end of the load until <see cref="Expected"/> were stored; null if they were not within the drain timeout.</param>
public sealed record PersistedCount(long DuringMeasurement, double MeasuredSeconds, long Total, long Expected, TimeSpan? Drain)
{
    public double? PerSecond => MeasuredSeconds > 0 ? DuringMeasurement / MeasuredSeconds : null;

    public bool Complete => Total >= Expected;
}

/// <summary>What a run did.</summary>
/// <param name="NotReady">Why the first request never succeeded (then nothing else was sent); null when it did.</param>
/// <param name="MeasuredSeconds">The measured part's length: shorter than the duration when the run was stopped.</param>
/// <param name="SkippedHeartbeats">Not sent because the senders fell more than a second behind the target rate.</param>
/// <param name="TimestampLeadMilliseconds">How far the last timestamps ran ahead of the clock (sensors beating more than once a millisecond).</param>
/// <param name="MaxSendDelayMilliseconds">With a rate: the latest a request went out after its slot in the schedule; null without one.</param>
/// <param name="Window">When the load began and the measured part began and ended (null when not ready).</param>
/// <param name="Fleet">The schedule, in fleet mode.</param>
public sealed record LoadRun(
    DateTimeOffset StartedAt, string? NotReady, double MeasuredSeconds, bool Stopped, LoadSnapshot Stats,
    IReadOnlyDictionary<string, string> ErrorSamples, long SkippedHeartbeats, long TimestampLeadMilliseconds, PersistedCount? Persisted,
    double? MaxSendDelayMilliseconds = null, LoadWindow? Window = null, FleetSchedule? Fleet = null);

/// <summary>The run's wall-clock landmarks (UTC).</summary>
public sealed record LoadWindow(DateTimeOffset LoadStartedAt, DateTimeOffset MeasuredFrom, DateTimeOffset MeasuredTo);

/// <summary>
/// Sends the load: <see cref="LoadOptions.Concurrency"/> senders share one HttpClient and a <see cref="Pacer"/>
/// (none when the rate is 0), each building its request into its own buffer and waiting for the answer before the
/// next. A first request must succeed before the load starts (the API may still be learning the sensors); then
/// warm-up, measured part, and — when the database is watched — the drain until every accepted heartbeat is stored.
/// </summary>
public sealed class LoadRunner(
    LoadOptions options, LoadTarget target, HttpClient client, TimeProvider time, Func<CancellationToken, Task<long>>? countPersisted,
    ProgressWriter progress)
{
    private static readonly TimeSpan MaxBacklog = TimeSpan.FromSeconds(1);

    // A fleet's sensors do not skip a heartbeat because their gateway is busy: every one is sent, however late.
    private static readonly TimeSpan FleetBacklog = TimeSpan.FromDays(365);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FinalCountTimeout = TimeSpan.FromSeconds(10);

    private readonly HeartbeatGenerator _generator = new(target.SensorIds);
    private readonly FleetSchedule? _fleet = options.Fleet ? new FleetSchedule(target.SensorIds, options.Rate, options.BatchSize) : null;
    private readonly LoadStats _stats = new();
    private readonly string _legacyPrefix = target.Endpoint.AbsoluteUri + (target.Endpoint.Query.Length > 0 ? "&" : "?");
    private readonly long _frequency = time.TimestampFrequency;
    private Pacer? _pacer;
    private long _loadStart;
    private long _measureStart;
    private long _end;
    private long _persistedBaseline;
    private long _persisted;
    private volatile string _phase = "warm-up";
    private int _countFailed;
    private long _maxSendDelay;
    private long _readyMilliseconds;
    private long _fleetStartMilliseconds;

    public async Task<LoadRun> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var notReady = await WaitUntilReadyAsync(cancellationToken);
        if (notReady is not null)
        {
            return new LoadRun(startedAt, notReady, 0, cancellationToken.IsCancellationRequested, _stats.Snapshot(), _stats.ErrorSamples, 0, 0, null);
        }

        _loadStart = time.GetTimestamp();
        var loadStartedAt = time.GetUtcNow();
        _measureStart = _loadStart + Ticks(options.Warmup);
        _end = _measureStart + Ticks(options.Duration);
        if (_fleet is not null)
        {
            // Heartbeat timestamps count from here (after the ready check's, so that none repeats one of those).
            _fleetStartMilliseconds = Math.Max(loadStartedAt.ToUnixTimeMilliseconds(), _readyMilliseconds + 1);
            _pacer = new Pacer(_loadStart + Ticks(TimeSpan.FromSeconds(_fleet.DueSeconds(0))), _fleet.RequestsPerSecond, _frequency, FleetBacklog);
        }
        else if (options.Rate > 0)
        {
            _pacer = new Pacer(_loadStart, options.Rate / options.BatchSize, _frequency, MaxBacklog);
        }

        // Stopping (Ctrl-C) ends the measured part there and then; requests under way are abandoned.
        await using var stopRegistration = cancellationToken.Register(() => Volatile.Write(ref _end, Math.Min(Volatile.Read(ref _end), time.GetTimestamp())));
        using var progressStop = new CancellationTokenSource();
        var progressLoop = ShowProgressAsync(progressStop.Token);

        // Started directly, not through Task.Run: each sender runs until its first wait (for its slot or the network)
        // before the next one starts, so all of them hold their place in the schedule as the load begins instead of
        // whenever the thread pool gets to them; on a clock that moves only when a test moves it, none of them then
        // runs behind the clock's back.
        var senders = Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => SendLoopAsync(_stats.NewRecorder(), cancellationToken)));

        await DelayUntilAsync(_measureStart, cancellationToken);
        var atMeasureStart = await CountAsync(cancellationToken);
        _phase = "measuring";
        await DelayUntilAsync(Volatile.Read(ref _end), cancellationToken);
        var atEnd = await CountAsync(cancellationToken);
        _phase = "finishing";
        await senders;

        var end = Volatile.Read(ref _end);
        var stats = _stats.Snapshot();
        PersistedCount? persisted = null;
        if (atMeasureStart is { } first && atEnd is { } last)
        {
            _phase = "draining";
            var drain = cancellationToken.IsCancellationRequested ? null : await DrainAsync(stats.All.AcceptedHeartbeats, end, cancellationToken);
            persisted = new PersistedCount(last.Count - first.Count, Seconds(last.At - first.At), Volatile.Read(ref _persisted),
                stats.All.AcceptedHeartbeats, drain);
        }

        await progressStop.CancelAsync();
        await progressLoop;
        progress.Finish();

        var skipped = (_pacer?.Skipped ?? 0) * (_fleet?.BeatsPerRequest ?? options.BatchSize);
        var lead = _generator.MaxLeadMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        double? sendDelay = _pacer is null ? null : Math.Round(Seconds(Volatile.Read(ref _maxSendDelay)) * 1000, 3);
        var window = new LoadWindow(loadStartedAt, loadStartedAt + options.Warmup, loadStartedAt + TimeSpan.FromSeconds(Math.Max(Seconds(end - _loadStart), 0)));
        return new LoadRun(startedAt, null, Math.Max(0, Seconds(end - _measureStart)), cancellationToken.IsCancellationRequested, stats,
            _stats.ErrorSamples, skipped, lead, persisted, sendDelay, window, _fleet);
    }

    /// <summary>
    /// Sends one request naming the last and the first sensor (in fleet mode, the first two in turn) until it succeeds
    /// (the API learns new sensors and keys within seconds), then, when the database is watched, waits until it is
    /// stored and counts from there.
    /// </summary>
    /// <returns>Why it never succeeded within the ready timeout; null once it did.</returns>
    private async Task<string?> WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = time.GetTimestamp() + Ticks(options.ReadyTimeout);
        var scratch = new byte[4096];
        var buffer = new byte[HeartbeatGenerator.MaxBodyLength(2)];
        var before = 0L;
        if (countPersisted is not null)
        {
            try
            {
                before = await countPersisted(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new Demo.SimulatorException($"The database could not be read ({ex.Message}); check Load:DatabaseConnectionString.");
            }
        }

        var count = Math.Min(2, target.SensorIds.Count);
        while (true)
        {
            var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            _readyMilliseconds = nowMs;
            using var request = target.Legacy
                ? Request(_generator.LegacyQueryFor(target.SensorIds.Count - 1, nowMs))
                : Request(buffer, _fleet?.WriteFirstInTurn(buffer, count, nowMs) ?? _generator.WriteFor(buffer, target.SensorIds.Count - 1, count, nowMs));
            var (status, detail) = await SendAsync(request, scratch, sample: false, cancellationToken);
            if (status is >= 200 and < 300)
            {
                break;
            }

            var why = $"{target.Endpoint} answered {detail}";
            if (time.GetTimestamp() >= deadline)
            {
                return why;
            }

            progress.Note($"load: not ready yet ({why}); retrying.");
            await Task.Delay(RetryDelay, time, cancellationToken);
        }

        if (countPersisted is not null)
        {
            var expected = before + (target.Legacy ? 1 : count);
            long stored;
            while ((stored = await CountRawAsync(cancellationToken) ?? before) < expected && time.GetTimestamp() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
            }

            if (stored < expected)
            {
                progress.Note($"load: the first request's heartbeats are not in the database after {options.ReadyTimeout}; measuring anyway.");
            }

            _persistedBaseline = stored;
        }

        return null;
    }

    private async Task SendLoopAsync(LoadRecorder recorder, CancellationToken cancellationToken)
    {
        var buffer = target.Legacy ? null : new byte[HeartbeatGenerator.MaxBodyLength(options.BatchSize)];
        var scratch = new byte[4096];
        var batch = target.Legacy ? 1 : _fleet?.BeatsPerRequest ?? options.BatchSize;
        var wakeEarly = _frequency / 1000;
        try
        {
            while (true)
            {
                var now = time.GetTimestamp();
                long slot = 0;
                var due = _pacer?.Next(now, out slot) ?? now;
                if (due >= Volatile.Read(ref _end))
                {
                    return;
                }

                // Up to a millisecond early rather than a timer's worth late; the schedule is absolute, so the rate holds.
                if (due - now > wakeEarly)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)(due - now) / _frequency), time, cancellationToken);
                }

                var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
                using var request = buffer is null
                    ? Request(_generator.NextLegacyQuery(nowMs))
                    : Request(buffer, _fleet?.Write(buffer, slot, _fleetStartMilliseconds) ?? _generator.WriteNext(buffer, batch, nowMs));
                var sentAt = time.GetTimestamp();
                var (status, _) = await SendAsync(request, scratch, sample: true, cancellationToken);
                var doneAt = time.GetTimestamp();
                // Coordinated omission: with a schedule, latency counts from the slot, so a request that went out late
                // because every sender was waiting on a slow server carries that wait (one sent up to 1 ms early counts
                // from its actual send).
                var intended = Math.Min(due, sentAt);
                if (_pacer is not null)
                {
                    RaiseMaxSendDelay(sentAt - due);
                }

                recorder.Record(status, batch, Micros(doneAt - intended), Micros(doneAt - sentAt),
                    measured: doneAt >= _measureStart && doneAt < Volatile.Read(ref _end));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private HttpRequestMessage Request(byte[] buffer, int length)
    {
        var content = new ReadOnlyMemoryContent(buffer.AsMemory(0, length));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        return WithKey(new HttpRequestMessage(HttpMethod.Post, target.Endpoint) { Content = content });
    }

    private HttpRequestMessage Request(string legacyQuery) =>
        WithKey(new HttpRequestMessage(HttpMethod.Post, new Uri(_legacyPrefix + legacyQuery)));

    private HttpRequestMessage WithKey(HttpRequestMessage request)
    {
        if (target.Key is not null)
        {
            request.Headers.TryAddWithoutValidation(HeartbeatRequests.ApiKeyHeader, target.Key);
        }

        return request;
    }

    /// <returns>The status code (or <see cref="LoadRecorder.TransportError"/>, <see cref="LoadRecorder.Timeout"/>) and, for an error, what it said when it was read.</returns>
    private async Task<(int Status, string Detail)> SendAsync(HttpRequestMessage request, byte[] scratch, bool sample, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            var kind = LoadStats.KindOf(status);
            if (!response.IsSuccessStatusCode && (!sample || _stats.WantsSample(kind)))
            {
                var detail = await ProblemText.ReadAsync(response, cancellationToken);
                _stats.Sample(kind, detail);
                return (status, detail);
            }

            // Read to the end so that the connection can carry the next request.
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            while (await body.ReadAsync(scratch, cancellationToken) > 0)
            {
            }

            return (status, kind);
        }
        catch (HttpRequestException ex)
        {
            var detail = ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message;
            _stats.Sample(LoadStats.KindOf(LoadRecorder.TransportError), detail);
            return (LoadRecorder.TransportError, detail);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var detail = $"no answer within {options.RequestTimeout}";
            _stats.Sample(LoadStats.KindOf(LoadRecorder.Timeout), detail);
            return (LoadRecorder.Timeout, detail);
        }
    }

    private async Task<(long Count, long At)?> CountAsync(CancellationToken cancellationToken)
    {
        if (countPersisted is null)
        {
            return null;
        }

        // The last counts are taken even when the run was stopped, but not for long.
        using var timeout = new CancellationTokenSource(FinalCountTimeout, time);
        var token = cancellationToken.IsCancellationRequested ? timeout.Token : cancellationToken;
        if (await CountRawAsync(token) is not { } raw)
        {
            return null;
        }

        var count = raw - _persistedBaseline;
        Volatile.Write(ref _persisted, count);
        return (count, time.GetTimestamp());
    }

    /// <summary>The database's count; null (said once) when it cannot be read: the load goes on without it.</summary>
    private async Task<long?> CountRawAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await countPersisted!(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (Interlocked.Exchange(ref _countFailed, 1) == 0)
            {
                progress.Note($"load: counting in the database failed ({ex.Message}); persisted figures will be missing or partial.");
            }

            return null;
        }
    }

    /// <returns>How long after the end of the load every accepted heartbeat was stored; null if not within the drain timeout.</returns>
    private async Task<TimeSpan?> DrainAsync(long expected, long end, CancellationToken cancellationToken)
    {
        var deadline = end + Ticks(options.DrainTimeout);
        try
        {
            while (true)
            {
                // A count that fails (said once) is tried again until the deadline.
                if (await CountAsync(cancellationToken) is var (count, at) && count >= expected)
                {
                    return time.GetElapsedTime(end, Math.Max(end, at));
                }

                if (time.GetTimestamp() >= deadline)
                {
                    return null;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task ShowProgressAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.ProgressInterval, time);
        var previous = (At: time.GetTimestamp(), Requests: 0L, Accepted: 0L, Persisted: Persisted);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (_phase is not "draining" && countPersisted is not null)
                {
                    await CountAsync(cancellationToken);
                }

                var now = time.GetTimestamp();
                var all = _stats.Snapshot().All;
                var seconds = Seconds(now - previous.At);
                var persisted = Persisted;
                progress.Show(new Progress(
                    time.GetElapsedTime(_loadStart, now), _phase,
                    (all.Requests - previous.Requests) / seconds, (all.AcceptedHeartbeats - previous.Accepted) / seconds,
                    all.Latency.TotalCount > 0 ? all.Latency.GetValueAtPercentile(99) / 1000.0 : null, all.Failed, all.CountOf(429),
                    persisted - previous.Persisted is { } stored ? stored / seconds : null, persisted, all.AcceptedHeartbeats));
                previous = (now, all.Requests, all.AcceptedHeartbeats, persisted);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task DelayUntilAsync(long timestamp, CancellationToken cancellationToken)
    {
        var wait = timestamp - time.GetTimestamp();
        if (wait <= 0)
        {
            return;
        }

        try
        {
            await Task.Delay(TimeSpan.FromSeconds((double)wait / _frequency), time, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private long? Persisted => countPersisted is null ? null : Volatile.Read(ref _persisted);

    private void RaiseMaxSendDelay(long delay)
    {
        var current = Volatile.Read(ref _maxSendDelay);
        while (delay > current)
        {
            var seen = Interlocked.CompareExchange(ref _maxSendDelay, delay, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private long Micros(long ticks) => ticks * 1_000_000 / _frequency;

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _frequency);

    private double Seconds(long ticks) => (double)ticks / _frequency;
}
