using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Sensors360.Simulator.Mqtt;

namespace Sensors360.Simulator.Api;

/// <summary><c>Simulator:Protocol</c>: which transport carries the demo fleet's heartbeats.</summary>
public static class HeartbeatProtocols
{
    public const string Http = "http";
    public const string Mqtt = "mqtt";

    public static bool IsMqtt(SimulatorOptions options) => string.Equals(options.Protocol, Mqtt, StringComparison.OrdinalIgnoreCase);

    /// <summary>The sender for the configured protocol; both are registered, only the chosen one is ever created.</summary>
    public static IHeartbeatSender Select(IServiceProvider services) =>
        IsMqtt(services.GetRequiredService<IOptions<SimulatorOptions>>().Value)
            ? services.GetRequiredService<MqttHeartbeatClient>()
            : services.GetRequiredService<HeartbeatClient>();

    /// <summary>The broker's host and port from <see cref="SimulatorOptions.MqttAddress"/>; null when it is not a tcp:// or mqtt:// address with a host.</summary>
    public static (string Host, int Port)? ParseMqttAddress(string? address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is ("tcp" or "mqtt") && uri.Host.Length > 0
            ? (uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 1883 : uri.Port)
            : null;

    internal static IEnumerable<ValidationResult> Validate(SimulatorOptions options)
    {
        if (!string.Equals(options.Protocol, Http, StringComparison.OrdinalIgnoreCase) && !IsMqtt(options))
        {
            yield return new ValidationResult($"{nameof(options.Protocol)} must be '{Http}' or '{Mqtt}', not '{options.Protocol}'.", [nameof(options.Protocol)]);
            yield break;
        }

        if (!IsMqtt(options))
        {
            yield break;
        }

        if (ParseMqttAddress(options.MqttAddress) is null)
        {
            yield return new ValidationResult(
                $"{nameof(options.MqttAddress)} must be the broker's MQTT listener as tcp://host:port (or mqtt://host:port) when {nameof(options.Protocol)} is '{Mqtt}', not '{options.MqttAddress}'.",
                [nameof(options.MqttAddress)]);
        }

        if (options.Legacy)
        {
            // The legacy form is an HTTP endpoint of its own; MQTT has only the JSON one.
            yield return new ValidationResult($"{nameof(options.Legacy)} applies to HTTP only: it cannot be combined with {nameof(options.Protocol)}={Mqtt}.",
                [nameof(options.Legacy), nameof(options.Protocol)]);
        }
    }
}
