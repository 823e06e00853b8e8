using System.Net.WebSockets;
using System.Text;

namespace Realtime.Gateway.Tests;

/// <summary>
/// The server side of a WebSocket whose client reads only when the test lets it: each send waits for
/// <see cref="Release"/> (or the send's cancellation), so a test can play a client that stops reading.
/// </summary>
sealed class ScriptedWebSocket(bool blocking) : WebSocket
{
    readonly SemaphoreSlim _reads = new(0);
    readonly List<string> _sent = [];
    WebSocketState _state = WebSocketState.Open;

    public List<string> Sent { get { lock (_sent) return [.. _sent]; } }
    public WebSocketCloseStatus? ClosedWith { get; private set; }
    public string? ClosedReason { get; private set; }
    public bool Aborted { get; private set; }
    public int SendsStarted => Volatile.Read(ref _sendsStarted);
    int _sendsStarted;

    /// <summary>Lets the client read <paramref name="frames"/> more frames.</summary>
    public void Release(int frames = 1) => _reads.Release(frames);

    public override async Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sendsStarted);
        if (blocking)
        {
            try
            {
                await _reads.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                _state = WebSocketState.Aborted; // as the real socket does when a send is cancelled
                throw;
            }
        }
        lock (_sent)
        {
            _sent.Add(Encoding.UTF8.GetString(buffer));
        }
    }

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        (ClosedWith, ClosedReason) = (closeStatus, statusDescription);
        _state = WebSocketState.CloseSent;
        return Task.CompletedTask;
    }

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override void Abort()
    {
        Aborted = true;
        _state = WebSocketState.Aborted;
    }

    public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The relay's send side is under test.");

    public override WebSocketCloseStatus? CloseStatus => ClosedWith;
    public override string? CloseStatusDescription => ClosedReason;
    public override WebSocketState State => _state;
    public override string? SubProtocol => null;
    public override void Dispose() { }
}
