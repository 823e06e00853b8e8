using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;

namespace Sensors360.IntegrationTests.HighAvailability;

/// <summary>
/// Operators' live streams during a fault: WebSocket clients on the gateway's one address, each reconnecting every
/// 250 ms once its socket drops, as the dashboard does. Counts the drops and when each client last got a snapshot.
/// </summary>
public sealed class LiveClients : IAsyncDisposable
{
    readonly Uri _gateway;
    readonly string _token;
    readonly CancellationTokenSource _stop = new();
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly long[] _lastSnapshot;
    readonly Task[] _loops;
    int _drops;

    LiveClients(Uri gateway, string token, int count)
    {
        (_gateway, _token) = (gateway, token);
        _lastSnapshot = new long[count];
        Array.Fill(_lastSnapshot, -1);
        _loops = [.. Enumerable.Range(0, count).Select(i => Task.Run(() => RunAsync(i)))];
    }

    /// <summary>Sockets that closed or failed under a client (each followed by a reconnect).</summary>
    public int Drops => Volatile.Read(ref _drops);

    public TimeSpan Now => _clock.Elapsed;

    public static async Task<LiveClients> ConnectAsync(DistributedApplication app, int count)
    {
        var (_, token) = await Gateway.CreateApiTokenAsync(app, "Viewer");
        var clients = new LiveClients(Gateway.BaseAddress(app), token, count);
        Assert.True(await clients.AllFreshAsync(TimeSpan.Zero, TimeSpan.FromSeconds(30)), "not every client got a first snapshot");
        return clients;
    }

    /// <summary>Waits until every client has had a snapshot since <paramref name="since"/> (on <see cref="Now"/>'s clock).</summary>
    public Task<bool> AllFreshAsync(TimeSpan since, TimeSpan timeout) =>
        Poll.UntilAsync(() => Task.FromResult(_lastSnapshot.All(t => t >= since.Ticks)), timeout, TimeSpan.FromMilliseconds(50));

    async Task RunAsync(int client)
    {
        var buffer = new byte[256 * 1024];
        while (!_stop.IsCancellationRequested)
        {
            var connected = false;
            try
            {
                using var socket = await Gateway.ConnectAsync(_gateway, o => o.SetRequestHeader("Authorization", $"Bearer {_token}"), _stop.Token);
                connected = true;
                while (true)
                {
                    using var message = new MemoryStream();
                    WebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(buffer, _stop.Token);
                        message.Write(buffer, 0, result.Count);
                    }
                    while (!result.EndOfMessage);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                    using var frame = JsonDocument.Parse(message.ToArray());
                    if (frame.RootElement.GetProperty("type").GetString() == "snapshot")
                    {
                        Volatile.Write(ref _lastSnapshot[client], _clock.Elapsed.Ticks);
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException)
            {
            }
            if (_stop.IsCancellationRequested)
            {
                return;
            }
            if (connected)
            {
                Interlocked.Increment(ref _drops);
            }
            await Task.Delay(250, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }
}
