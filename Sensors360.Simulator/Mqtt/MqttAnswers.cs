using MQTTnet;
using Sensors360.Simulator.Api;

namespace Sensors360.Simulator.Mqtt;

/// <summary>
/// What the broker's answers mean in the simulator's terms, the HTTP answer each stands for, so the scheduler treats
/// both transports alike: a PUBACK is a 202; a refused sign-in a 401 (the broker refuses an unknown, revoked or retired
/// sensor's key alike); an unavailable broker a 503.
/// </summary>
public static class MqttAnswers
{
    private static readonly TimeSpan MaxConnectBackoff = TimeSpan.FromMinutes(1);

    public static HeartbeatOutcome Published { get; } = new(HeartbeatResult.Accepted, 202);

    public static HeartbeatOutcome Refused(MqttClientConnectResultCode code, string? reason) => code switch
    {
        MqttClientConnectResultCode.BadUserNameOrPassword or MqttClientConnectResultCode.NotAuthorized
            => new(HeartbeatResult.UnknownKey, 401, Detail: Describe(code, reason)),
        MqttClientConnectResultCode.ServerUnavailable or MqttClientConnectResultCode.ServerBusy
            => new(HeartbeatResult.Unavailable, 503, Detail: Describe(code, reason)),
        _ => new(HeartbeatResult.Rejected, null, Detail: Describe(code, reason)),
    };

    public static HeartbeatOutcome Failed(string detail) => new(HeartbeatResult.Failed, null, Detail: detail);

    /// <summary>How long a sensor waits before its next connect after <paramref name="failures"/> failed ones in a row: 1 s, 2 s, 4 s … 1 min.</summary>
    public static TimeSpan ConnectBackoff(int failures) =>
        TimeSpan.FromSeconds(Math.Min(Math.Pow(2, Math.Clamp(failures - 1, 0, 10)), MaxConnectBackoff.TotalSeconds));

    private static string Describe(MqttClientConnectResultCode code, string? reason) =>
        string.IsNullOrEmpty(reason) ? $"The MQTT broker refused the connection: {code}." : $"The MQTT broker refused the connection: {code} ({reason}).";
}
