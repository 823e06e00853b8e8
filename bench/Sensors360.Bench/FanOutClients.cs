using System.Collections.Concurrent;
using System.Globalization;
using Sensors360.Measurement;

namespace Sensors360.Bench;

/// <summary>
/// Many /ws clients for (e) and (h), dealt in turn over one or more gateway addresses: each notes which gateway process
/// greeted it and when every snapshot reached it.
/// </summary>
public sealed class FanOutClients : IAsyncDisposable
{
    readonly ConcurrentDictionary<DateTimeOffset, ConcurrentBag<double>> _deliveries = new();
    readonly List<LiveClient> _connected;
    readonly int[] _gatewayPids;
    bool _measuring;

    FanOutClients(int count) => (_connected, _gatewayPids) = (new List<LiveClient>(count), new int[count]);

    public int Count => _gatewayPids.Length;

    /// <summary>Clients the gateway closed or dropped.</summary>
    public int Lost => _connected.Count(c => c.Lost);

    /// <summary>Clients per gateway process, from the instance ("host/pid") in each client's hello frame; 0: no hello.</summary>
    public IReadOnlyDictionary<int, int> ClientsPerGatewayPid() => _gatewayPids.CountBy(pid => pid).ToDictionary();

    public static async Task<FanOutClients> ConnectAsync(IReadOnlyList<Uri> addresses, string token, int count, CancellationToken cancellationToken)
    {
        var clients = new FanOutClients(count);
        try
        {
            using var gate = new SemaphoreSlim(64);
            var connecting = Enumerable.Range(0, count).Select(async i =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    return await LiveClient.ConnectAsync(addresses[i % addresses.Count], token,
                        (type, data, arrived) => clients.OnFrame(i, type, data, arrived), cancellationToken);
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();
            foreach (var task in connecting)
            {
                clients._connected.Add(await task);
            }
            return clients;
        }
        catch
        {
            await clients.DisposeAsync();
            throw;
        }
    }

    void OnFrame(int client, string type, System.Text.Json.JsonElement data, DateTimeOffset arrived)
    {
        if (type == "hello")
        {
            var instance = data.GetProperty("instance").GetString()!;
            _gatewayPids[client] = int.Parse(instance[(instance.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
        }
        else if (type == "snapshot" && Volatile.Read(ref _measuring))
        {
            var at = data.GetProperty("at").GetDateTimeOffset();
            _deliveries.GetOrAdd(at, _ => []).Add((arrived - at).TotalMilliseconds);
        }
    }

    /// <summary>
    /// Counts the snapshots published from now on until <paramref name="snapshots"/> of them have reached every client
    /// (or the time for two more has passed): a snapshot published while clients were still connecting is not counted.
    /// </summary>
    public async Task<FanOut> MeasureAsync(int snapshots, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _measuring, true);
        // Snapshots come every 5 s (the monitor's production period).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5 * (snapshots + 2));
        while (_deliveries.Count(d => d.Value.Count >= Count) < snapshots && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250, cancellationToken);
        }
        var complete = _deliveries.Values.Where(d => d.Count >= Count).ToList();
        var all = complete.SelectMany(d => d).ToList();
        var latency = Latency.Of(all);
        return new FanOut(complete.Count, all.Count, all.Count == 0 ? double.NaN : latency.P50, all.Count == 0 ? double.NaN : latency.P99,
            complete.Select(d => d.Max()).DefaultIfEmpty(double.NaN).Max());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _connected)
        {
            await client.DisposeAsync();
        }
    }
}

/// <summary>Snapshots that reached every client, the deliveries they make up, their p50 and p99 and the slowest delivery.</summary>
public sealed record FanOut(int Snapshots, int Deliveries, double P50, double P99, double SlowestToAll);
