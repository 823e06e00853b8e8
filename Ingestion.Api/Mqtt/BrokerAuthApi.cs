using System.Security.Cryptography;
using System.Text;
using Ingestion.Api.Admission;
using Ingestion.Api.Credentials;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Sensors360.Contracts;

namespace Ingestion.Api.Mqtt;

/// <summary>
/// RabbitMQ's HTTP auth backend (<c>rabbitmq_auth_backend_http</c>) asks here whether an MQTT device may connect,
/// use a resource and publish or subscribe to a topic; the answer is the body "allow" or "deny". Devices sign in with
/// the same keys as over HTTP (<see cref="MqttUser"/>); the broker caches each answer for a few seconds.
/// </summary>
public static partial class BrokerAuthApi
{
    static readonly ContentHttpResult Allow = TypedResults.Text("allow");
    static readonly ContentHttpResult Deny = TypedResults.Text("deny");
    static readonly ContentHttpResult AllowManagement = TypedResults.Text("allow management");

    public static IEndpointRouteBuilder MapBrokerAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ServiceCallers.BrokerAuthPath + "/{brokerKey}").ExcludeFromDescription()
            // Only the broker knows the key; anyone else gets 404, as if MQTT ingest were off.
            .AddEndpointFilter((context, next) =>
                IsBroker(context.HttpContext.GetRouteValue("brokerKey") as string ?? "",
                    context.HttpContext.RequestServices.GetRequiredService<IOptions<MqttOptions>>().Value)
                    ? next(context)
                    : ValueTask.FromResult<object?>(TypedResults.NotFound()));
        group.MapPost("/user", User);
        group.MapPost("/vhost", async (HttpRequest request) => (await FormAsync(request))["vhost"] == "/" ? Allow : Deny);
        group.MapPost("/resource", async (HttpRequest request) => Resource(await FormAsync(request)) ? Allow : Deny);
        group.MapPost("/topic", Topic);
        return app;
    }

    static Task<IFormCollection> FormAsync(HttpRequest request) => request.ReadFormAsync(request.HttpContext.RequestAborted);

    static bool IsBroker(string presented, MqttOptions options) =>
        options.Enabled && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(options.BrokerKey)));

    static async Task<ContentHttpResult> User(
        HttpRequest request, MqttForwarder forwarder, CredentialCache credentials, CredentialLookup lookup,
        IOptions<MqttOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        var form = await FormAsync(request);
        var userName = form["username"].ToString();
        var logger = loggers.CreateLogger(typeof(BrokerAuthApi));
        // Until the device queue is bound a publish would be confirmed and dropped: nobody connects before.
        if (!forwarder.Ready || credentials.LoadedAt is null)
        {
            LogRefused(logger, userName, "MQTT ingest is still starting");
            return Deny;
        }
        var password = form["password"].ToString();
        if (MqttSessionToken.IsToken(password))
        {
            // This service itself, closing a device's connections (MqttSessions): the management API, nothing more.
            return MqttSessionToken.IsValid(userName, password, options.Value.BrokerKey, time.GetUtcNow()) ? AllowManagement : Deny;
        }
        var digest = KeyDigest.OfKey(password.AsSpan().Trim());
        var caller = HeartbeatCaller.Identify(credentials.Current, digest);
        if (caller is null && await lookup.TryAddKeyAsync(digest, request.HttpContext.RequestAborted))
        {
            caller = HeartbeatCaller.Identify(credentials.Current, digest);
        }
        var sensorId = MqttUser.SensorOf(userName);
        var namedCollector = MqttUser.CollectorOf(userName);
        var refusal = (sensorId, caller) switch
        {
            (_, null) => "the key is not known (mistyped, rotated or revoked)",
            ({ } id, { Sensor: { } sensor }) when sensor.SensorId != id => "the key belongs to another sensor",
            (not null, { Sensor: { RetiredAt: not null } }) => "the sensor is retired",
            (not null, { Sensor: null }) => "a user name that is a sensor id signs in with that sensor's key, not a collector key",
            (null, { Collector: null }) => "a sensor signs in with its id as user name",
            (null, { Collector: { } collector }) when namedCollector is { } named && collector.CollectorKeyId != named => "the key is another collector's",
            _ => null,
        };
        if (refusal is not null)
        {
            LogRefused(logger, userName, refusal);
            return Deny;
        }
        // The tag travels with every later question about this connection: it says which collector key signed in.
        return caller!.Collector is { } signedIn ? TypedResults.Text($"allow {MqttUser.CollectorTag(signedIn.CollectorKeyId)}") : Allow;
    }

    /// <summary>
    /// A device publishes to <c>amq.topic</c> (write) and, to hear its errors, subscribes through a queue of its own
    /// that the MQTT plugin names <c>mqtt-subscription-…</c>; nothing else.
    /// </summary>
    static bool Resource(IFormCollection form) => (form["resource"].ToString(), form["name"].ToString()) switch
    {
        ("exchange", "amq.topic") => form["permission"] is var p && (p == "write" || p == "read"),
        ("queue", var queue) => queue.StartsWith("mqtt-subscription-", StringComparison.Ordinal),
        _ => false,
    };

    static async Task<ContentHttpResult> Topic(HttpRequest request, CredentialCache credentials, CredentialLookup lookup)
    {
        var form = await FormAsync(request);
        if (form["name"] != "amq.topic" || MqttUser.Signed(form["username"], form["tags"]) is not { } user
            || MqttTopic.Parse(form["routing_key"].ToString()) is not { } topic)
        {
            return Deny;
        }
        var write = form["permission"] == "write";
        if (topic.Kind == MqttTopicKind.SensorHeartbeat && write && user.CollectorKeyId is not null && credentials.Current.FindSensor(topic.Id) is null)
        {
            // A sensor registered a moment ago, before its registry event arrived.
            await lookup.TryAddSensorAsync(topic.Id, request.HttpContext.RequestAborted);
        }
        var set = credentials.Current;
        switch (topic.Kind)
        {
            case MqttTopicKind.SensorHeartbeat when write:
                return HeartbeatAuthorization.Check(set, user.SensorId is { } own ? set.FindSensor(own) : null,
                    user.CollectorKeyId is { } keyId ? set.FindCollector(keyId) : null, topic.Id, 0) is null ? Allow : Deny;
            case MqttTopicKind.CollectorHeartbeats when write:
            case MqttTopicKind.CollectorErrors when !write:
                return user.CollectorKeyId == topic.Id && set.FindCollector(topic.Id) is not null ? Allow : Deny;
            case MqttTopicKind.SensorErrors when !write:
                return user.SensorId == topic.Id && set.FindSensor(topic.Id) is not null ? Allow : Deny;
            default:
                return Deny;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT sign-in refused for user {UserName}: {Reason}")]
    static partial void LogRefused(ILogger logger, string userName, string reason);
}
