using System.Net.WebSockets;
using System.Threading.Channels;

namespace Realtime.Gateway.Realtime;

/// <summary>
/// One browser or script on <c>/ws</c>. Frames wait in a bounded queue drained by this connection's own send loop,
/// so a slow client only ever delays itself; when its queue overflows it is disconnected (close 1008, "too slow")
/// and reconnects to a fresh snapshot. Snapshots coalesce: a client that falls behind gets only the newest.
/// </summary>
/// <param name="userId">The operator's account, or null for a named API token (which belongs to no user).</param>
public sealed partial class ClientConnection(
    WebSocket socket, string username, WebSocketRelayOptions options, ILogger logger, string? userId = null)
{
    // A null item means "send the newest pending snapshot".
    readonly Channel<byte[]?> queue = Channel.CreateBounded<byte[]?>(
        new BoundedChannelOptions(options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    readonly CancellationTokenSource stop = new();
    readonly HashSet<long> subscriptions = [];
    byte[]? pendingSnapshot;
    WebSocketCloseStatus? closeStatus;
    string? closeReason;

    public const string TooSlow = "too slow";

    /// <summary>How long sending our close, and then the client's answer to it, may take before the socket is dropped.</summary>
    internal static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);

    public Guid Id { get; } = Guid.NewGuid();
    public string Username => username;
    public string? UserId => userId;

    public void Enqueue(byte[] frame)
    {
        if (!queue.Writer.TryWrite(frame))
        {
            Overflow();
        }
    }

    public void EnqueueSnapshot(byte[] frame)
    {
        if (Interlocked.Exchange(ref pendingSnapshot, frame) is null && !queue.Writer.TryWrite(null))
        {
            Overflow();
        }
    }

    public bool IsSubscribed(long sensorId)
    {
        lock (subscriptions)
        {
            return subscriptions.Contains(sensorId);
        }
    }

    /// <returns>False when already subscribed or at the subscription limit (see <paramref name="full"/>).</returns>
    public bool TrySubscribe(long sensorId, out bool full)
    {
        lock (subscriptions)
        {
            full = subscriptions.Count >= options.MaxSubscriptions && !subscriptions.Contains(sensorId);
            return !full && subscriptions.Add(sensorId);
        }
    }

    public bool Unsubscribe(long sensorId)
    {
        lock (subscriptions)
        {
            return subscriptions.Remove(sensorId);
        }
    }

    public long[] Subscriptions()
    {
        lock (subscriptions)
        {
            return [.. subscriptions];
        }
    }

    /// <summary>
    /// Ends the connection: queued frames are dropped and the send loop sends the close frame (it is the only place
    /// that sends, so a close never races a frame). The first reason given wins.
    /// </summary>
    public void Close(WebSocketCloseStatus status, string? reason)
    {
        lock (stop)
        {
            if (closeStatus is null)
            {
                closeStatus = status;
                closeReason = reason;
            }
        }
        queue.Writer.TryComplete();
        stop.Cancel();
    }

    void Overflow()
    {
        if (closeStatus is null)
        {
            LogFellBehind(logger, username, Id, options.QueueCapacity);
        }
        Close(WebSocketCloseStatus.PolicyViolation, TooSlow);
    }

    /// <summary>
    /// Sends queued frames until <see cref="Close"/> is called, then sends the close frame. A frame already being sent
    /// is finished first (a slow client still learns why it is dropped), unless it takes longer than the send timeout:
    /// then the client has stopped reading and the socket is aborted.
    /// </summary>
    public async Task RunSendLoopAsync()
    {
        try
        {
            await foreach (var item in queue.Reader.ReadAllAsync(stop.Token))
            {
                var frame = item ?? Interlocked.Exchange(ref pendingSnapshot, null);
                if (frame is null || closeStatus is not null)
                {
                    continue;
                }
                using var timeout = new CancellationTokenSource(options.SendTimeout);
                try
                {
                    await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    LogStoppedReading(logger, username, Id, options.SendTimeout);
                    socket.Abort(); // a cancelled send leaves the socket unusable anyway
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Close was called while the queue was empty.
        }
        catch (WebSocketException)
        {
            return; // the client went away
        }
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(CloseHandshakeTimeout);
            try
            {
                await socket.CloseOutputAsync(closeStatus ?? WebSocketCloseStatus.NormalClosure, closeReason, timeout.Token);
                // The request ends when the client answers the close; one that never does would hold it open, and
                // with it the gateway's shutdown, until the host gave up.
                _ = Task.Delay(CloseHandshakeTimeout).ContinueWith(_ =>
                {
                    if (socket.State == WebSocketState.CloseSent)
                    {
                        socket.Abort();
                    }
                }, TaskScheduler.Default);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
            {
                socket.Abort();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "WebSocket client {Username} ({ConnectionId}) fell {Capacity} frames behind; disconnecting it")]
    static partial void LogFellBehind(ILogger logger, string username, Guid connectionId, int capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "WebSocket client {Username} ({ConnectionId}) read nothing for {Timeout}; dropping it")]
    static partial void LogStoppedReading(ILogger logger, string username, Guid connectionId, TimeSpan timeout);
}
