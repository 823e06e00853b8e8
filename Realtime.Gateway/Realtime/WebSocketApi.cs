using System.Net.WebSockets;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Realtime.Gateway.Identity;

namespace Realtime.Gateway.Realtime;

public sealed record HelloData(string Instance, string Username, string Role, DateTimeOffset ServerTime);

/// <summary>
/// <c>GET /ws</c>: live status for operators (protocol: docs/websocket.md). Needs a Viewer or better — the session
/// cookie (browsers) or a bearer token (scripts) — and, when the client is a browser, an allowed Origin.
/// </summary>
public static class WebSocketApi
{
    public static readonly string Instance = $"{Environment.MachineName}/{Environment.ProcessId}";

    public static IEndpointConventionBuilder MapWebSocketApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/ws", Connect).RequireAuthorization(Policies.Viewer).WithTags("Live").WithName("LiveStatus")
            .WithSummary("WebSocket: hello and the latest snapshot at once, then snapshots, transitions, stale lists; subscribe to a sensor's heartbeats.");

    static async Task Connect(
        HttpContext context, RealtimeHub hub, SnapshotSource snapshots, HeartbeatTap tap, IOptions<GatewayOptions> options,
        TimeProvider clock, ILogger<ClientConnection> logger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await AuthProblems.WriteAsync(context, StatusCodes.Status400BadRequest, "WebSocket upgrade expected",
                "Open /ws as a WebSocket (ws:// or wss://); see docs/websocket.md.");
            return;
        }
        if (!IsAllowedOrigin(context.Request, options.Value.AllowedOrigins))
        {
            await AuthProblems.WriteAsync(context, StatusCodes.Status403Forbidden, "Origin not allowed",
                $"Pages from {context.Request.Headers.Origin} may not open this gateway's WebSocket (Gateway:AllowedOrigins).");
            return;
        }

        var relay = options.Value.WebSocket;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = relay.KeepAliveInterval,
            KeepAliveTimeout = relay.KeepAliveTimeout,
        });
        var username = context.User.Identity!.Name!;
        var connection = new ClientConnection(socket, username, relay, logger, context.User.FindFirst(ClaimTypes.NameIdentifier)?.Value);
        connection.Enqueue(ServerFrames.Create(ServerFrames.Hello,
            new HelloData(Instance, username, OperatorClaims.RoleOf(context.User) ?? "", clock.GetUtcNow())));
        hub.Add(connection);
        try
        {
            if (await snapshots.LatestAsync(context.RequestAborted) is { } snapshot)
            {
                connection.EnqueueSnapshot(snapshot);
            }
            var sending = connection.RunSendLoopAsync();
            await ReceiveAsync(socket, connection, hub, tap, relay, context.RequestAborted);
            await sending;
        }
        finally
        {
            hub.Remove(connection);
        }
    }

    /// <summary>A browser's Origin must be the gateway's own (same host and port) or one configured as allowed.</summary>
    public static bool IsAllowedOrigin(HttpRequest request, IReadOnlyCollection<string> allowed)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true; // not a browser: no ambient credentials to abuse
        }
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri))
        {
            return false;
        }
        return string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            || allowed.Any(a => string.Equals(a.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
    }

    static async Task ReceiveAsync(
        WebSocket socket, ClientConnection connection, RealtimeHub hub, HeartbeatTap tap, WebSocketRelayOptions relay,
        CancellationToken cancellationToken)
    {
        var buffer = new byte[relay.MaxClientMessageBytes];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        connection.Close(WebSocketCloseStatus.MessageTooBig, $"messages are limited to {relay.MaxClientMessageBytes} bytes");
                        await DiscardUntilCloseAsync(socket, buffer, cancellationToken);
                        return;
                    }
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    connection.Close(WebSocketCloseStatus.NormalClosure, null);
                    return;
                }
                await HandleAsync(buffer.AsMemory(0, length), result.MessageType, connection, hub, tap, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away, or the send loop gave up on it.
        }
        connection.Close(WebSocketCloseStatus.NormalClosure, null);
    }

    /// <summary>
    /// Reads and drops the rest of an oversized message until the client answers the close frame. Ending the request
    /// with its bytes still unread would make the connection close with a reset, which can reach the client before
    /// the close frame that says why.
    /// </summary>
    static async Task DiscardUntilCloseAsync(WebSocket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ClientConnection.CloseHandshakeTimeout);
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent
                && (await socket.ReceiveAsync(buffer.AsMemory(), timeout.Token)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away or never answered: the send loop aborts the socket after its own timeout.
        }
    }

    static async Task HandleAsync(
        ReadOnlyMemory<byte> payload, WebSocketMessageType type, ClientConnection connection, RealtimeHub hub, HeartbeatTap tap,
        CancellationToken cancellationToken)
    {
        ClientMessage? message = null;
        if (type == WebSocketMessageType.Text)
        {
            try
            {
                message = JsonSerializer.Deserialize<ClientMessage>(payload.Span, JsonSerializerOptions.Web);
            }
            catch (JsonException)
            {
            }
        }
        switch (message)
        {
            case { Type: "subscribe", SensorId: long sensorId }:
                if (connection.TrySubscribe(sensorId, out var full))
                {
                    hub.Follow(sensorId);
                    await tap.EnsureAsync(cancellationToken);
                }
                connection.Enqueue(full
                    ? ServerFrames.CreateError("Too many subscriptions on this connection; unsubscribe from another sensor first.")
                    : ServerFrames.Create(ServerFrames.Subscribed, new { sensorId }));
                break;
            case { Type: "unsubscribe", SensorId: long sensorId }:
                if (connection.Unsubscribe(sensorId))
                {
                    hub.Unfollow(sensorId);
                }
                connection.Enqueue(ServerFrames.Create(ServerFrames.Unsubscribed, new { sensorId }));
                break;
            default:
                connection.Enqueue(ServerFrames.CreateError(
                    """Expected {"type":"subscribe","sensorId":N} or {"type":"unsubscribe","sensorId":N}."""));
                break;
        }
    }
}
