using System.Net.WebSockets;
using System.Text.Json;

namespace Sensors360.Bench;

/// <summary>A /ws client with a bearer token that hands every frame to a callback with its arrival time.</summary>
public sealed class LiveClient : IAsyncDisposable
{
    readonly ClientWebSocket _socket = new();
    readonly CancellationTokenSource _stop = new();
    Task? _receiving;

    /// <summary>The gateway closed or dropped this client (before it was disposed).</summary>
    public bool Lost { get; private set; }

    public static async Task<LiveClient> ConnectAsync(Uri gateway, string token, Action<string, JsonElement, DateTimeOffset> onFrame, CancellationToken cancellationToken)
    {
        var client = new LiveClient();
        client._socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        client._socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await client._socket.ConnectAsync(new UriBuilder(gateway) { Scheme = "ws", Path = "/ws" }.Uri, cancellationToken);
        client._receiving = client.ReceiveAsync(onFrame);
        return client;
    }

    async Task ReceiveAsync(Action<string, JsonElement, DateTimeOffset> onFrame)
    {
        // Small, and grown only for a larger frame: ten thousand clients in one process each holding 256 KiB spent
        // more time collecting garbage than reading frames.
        var buffer = new byte[8 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), _stop.Token);
                    length += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Lost = !_stop.IsCancellationRequested;
                    return;
                }
                var arrived = DateTimeOffset.UtcNow;
                using var frame = JsonDocument.Parse(buffer.AsMemory(0, length));
                onFrame(frame.RootElement.GetProperty("type").GetString()!, frame.RootElement.GetProperty("data"), arrived);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            Lost = !_stop.IsCancellationRequested;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_receiving is not null)
        {
            await _receiving;
        }
        _socket.Abort();
        _socket.Dispose();
    }
}
