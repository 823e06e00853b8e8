using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Npgsql;

namespace Sensors360.IntegrationTests.Reliability;

/// <summary>What the database holds of a load's heartbeats, against what the API accepted.</summary>
public sealed record Tally(long Accepted, long Rows, long Lost, long DuplicateRows, long OverCounted, long StoredUnaccepted)
{
    /// <summary>Rows stored twice, plus heartbeats counted twice in the sensors' heartbeat_count.</summary>
    public long Duplicated => DuplicateRows + OverCounted;

    public override string ToString() =>
        $"accepted {Accepted}, rows {Rows}, lost {Lost}, duplicated {Duplicated}, stored though refused {StoredUnaccepted}";
}

/// <summary>
/// Sensors of its own behind one collector key, batches of heartbeats posted to the ingestion API, and a ledger of
/// every (sensor, timestamp) the API answered 202 for. Refusals (503 during a fault) are counted, not recorded.
/// </summary>
public sealed class HeartbeatLoad : IAsyncDisposable
{
    readonly SensorsApi _api;
    readonly HttpClient _http;
    readonly NpgsqlDataSource _db;
    readonly long[] _sensors;
    readonly long[] _next;
    readonly DateTimeOffset _origin = DateTimeOffset.UtcNow.AddHours(-1);
    readonly ConcurrentDictionary<(long, DateTimeOffset), byte> _accepted = new();
    readonly ConcurrentDictionary<int, int> _statuses = new();
    readonly ConcurrentQueue<DateTimeOffset> _refusedAt = new();
    int _batch;

    HeartbeatLoad(SensorsApi api, HttpClient http, NpgsqlDataSource db, long[] sensors)
    {
        (_api, _http, _db, _sensors) = (api, http, db, sensors);
        _next = new long[sensors.Length];
        _origin = new DateTimeOffset(_origin.Ticks - _origin.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    public long Accepted => _accepted.Count;

    /// <summary>Answers other than 202 by status code (0: no answer at all).</summary>
    public IReadOnlyDictionary<int, int> Refusals => _statuses;

    /// <summary>When each answer other than 202 came.</summary>
    public IReadOnlyCollection<DateTimeOffset> RefusedAt => _refusedAt;

    /// <param name="database">Where to count what was stored (default: the app's <c>sensorsdb</c>, as the administrator).</param>
    public static async Task<HeartbeatLoad> CreateAsync(DistributedApplication app, string name, int sensorCount, string? database = null)
    {
        var api = new SensorsApi(app);
        var site = SensorsApi.UniqueTag(name);
        var sensors = new long[sensorCount];
        for (var i = 0; i < sensorCount; i++)
        {
            (sensors[i], _) = await api.RegisterAsync(SensorsApi.UniqueTag(name), new { site });
        }
        var (_, key) = await api.CreateCollectorKeyAsync(site, new { site });
        var http = new HttpClient { BaseAddress = app.GetEndpoint("ingestion-api", "http"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var load = new HeartbeatLoad(api, http, NpgsqlDataSource.Create(database ?? (await app.GetConnectionStringAsync("sensorsdb"))!), sensors);

        // Registry events reach the API asynchronously: the first accepted batch is part of the ledger too.
        Assert.True(await Poll.UntilAsync(async () => await load.PostBatchAsync(sensorCount) == HttpStatusCode.Accepted,
            TimeSpan.FromSeconds(20)), "The API never accepted the collector key.");
        return load;
    }

    /// <summary>One request of <paramref name="size"/> heartbeats spread over the sensors, each at a time of its own.</summary>
    public async Task<HttpStatusCode> PostBatchAsync(int size)
    {
        var items = new (long Sensor, DateTimeOffset At)[size];
        var json = new StringBuilder("[");
        for (var i = 0; i < size; i++)
        {
            var s = (int)((uint)Interlocked.Increment(ref _batch) % _sensors.Length);
            var at = _origin.AddMilliseconds(Interlocked.Increment(ref _next[s]));
            items[i] = (_sensors[s], at);
            json.Append(CultureInfo.InvariantCulture, $"{(i > 0 ? "," : "")}{{\"sensorId\":{_sensors[s]},\"timestamp\":\"{at:yyyy-MM-ddTHH:mm:ss.fffZ}\"}}");
        }
        json.Append(']');

        HttpStatusCode status;
        try
        {
            using var response = await _http.PostAsync("/api/heartbeats", new StringContent(json.ToString(), Encoding.UTF8, "application/json"));
            status = response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            status = 0;
        }

        if (status == HttpStatusCode.Accepted)
        {
            foreach (var item in items)
            {
                _accepted.TryAdd(item, 0);
            }
        }
        else
        {
            _statuses.AddOrUpdate((int)status, 1, (_, n) => n + 1);
            _refusedAt.Enqueue(DateTimeOffset.UtcNow);
        }
        return status;
    }

    /// <summary>
    /// Posts batches from <paramref name="workers"/> concurrent loops until stopped, each loop pausing
    /// <paramref name="pause"/> between requests so a fault's backlog stays a few seconds of work.
    /// </summary>
    public Task RunAsync(int workers, int batchSize, TimeSpan pause, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await PostBatchAsync(batchSize);
                await Task.Delay(pause, CancellationToken.None);
            }
        })));

    /// <summary>Exactly <paramref name="batches"/> accepted batches, posted from concurrent loops; a refused batch is posted again.</summary>
    public async Task PostBatchesAsync(int workers, int batchSize, int batches, TimeSpan deadline)
    {
        var taken = 0;
        using var timeout = new CancellationTokenSource(deadline);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref taken) <= batches)
            {
                while (await PostBatchAsync(batchSize) != HttpStatusCode.Accepted)
                {
                    await Task.Delay(100, timeout.Token);
                }
            }
        })));
    }

    /// <summary>Rows stored for this load's sensors so far (cheaper than a full tally).</summary>
    public async Task<long> RowsAsync()
    {
        await using var command = _db.CreateCommand("SELECT count(*) FROM heartbeats WHERE sensor_id = ANY($1)");
        command.Parameters.Add(new() { Value = _sensors });
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public async Task<Tally> TallyAsync()
    {
        var stored = new HashSet<(long, DateTimeOffset)>();
        long rows = 0;
        await using (var command = _db.CreateCommand("SELECT sensor_id, sensor_time FROM heartbeats WHERE sensor_id = ANY($1)"))
        {
            command.Parameters.Add(new() { Value = _sensors });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows++;
                stored.Add((reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1)));
            }
        }
        await using var counted = _db.CreateCommand("SELECT coalesce(sum(heartbeat_count), 0) FROM sensor_liveness WHERE sensor_id = ANY($1)");
        counted.Parameters.Add(new() { Value = _sensors });
        var heartbeatCount = Convert.ToInt64(await counted.ExecuteScalarAsync());

        var accepted = _accepted.Keys.ToHashSet();
        return new Tally(
            Accepted: accepted.Count,
            Rows: rows,
            Lost: accepted.Count(a => !stored.Contains(a)),
            DuplicateRows: rows - stored.Count,
            OverCounted: Math.Max(0, heartbeatCount - stored.Count),
            StoredUnaccepted: stored.Count(s => !accepted.Contains(s)));
    }

    /// <summary>Waits until every accepted heartbeat is stored (or the deadline passes), then counts.</summary>
    public async Task<Tally> SettleAsync(TimeSpan deadline)
    {
        await Poll.UntilAsync(async () =>
        {
            try
            {
                return (await TallyAsync()).Lost == 0;
            }
            catch (NpgsqlException)
            {
                return false;   // a pooled connection from before a PostgreSQL restart; the pool heals itself
            }
        }, deadline);
        _db.Clear();
        return await TallyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _db.DisposeAsync();
        await _api.DisposeAsync();
    }
}
