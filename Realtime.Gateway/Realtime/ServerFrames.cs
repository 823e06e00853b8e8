using System.Text.Json;

namespace Realtime.Gateway.Realtime;

/// <summary>Server → client frames: <c>{"type": …, "data": …}</c>, serialised once and shared by every client.</summary>
public static class ServerFrames
{
    public const string Hello = "hello";
    public const string Snapshot = "snapshot";
    public const string StateChanged = "stateChanged";
    public const string Stale = "stale";
    public const string SensorAtRisk = "sensorAtRisk";
    public const string Heartbeat = "heartbeat";
    public const string Subscribed = "subscribed";
    public const string Unsubscribed = "unsubscribed";
    public const string Error = "error";

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static byte[] Create<T>(string type, T data) => JsonSerializer.SerializeToUtf8Bytes(new Frame<T>(type, data), Json);

    public static byte[] CreateError(string detail) => Create(Error, new { detail });

    sealed record Frame<T>(string Type, T Data);
}

/// <summary>Client → server: <c>{"type": "subscribe" | "unsubscribe", "sensorId": N}</c>.</summary>
public sealed record ClientMessage(string? Type, long? SensorId);
