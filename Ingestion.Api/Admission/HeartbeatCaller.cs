using System.Security.Claims;
using Ingestion.Api.Credentials;

namespace Ingestion.Api.Admission;

/// <summary>
/// Who is calling the heartbeat routes: a sensor's own key or a collector key, as found in the credential cache.
/// The identity carries the cache entry itself rather than claims, so nothing is formatted or parsed per request.
/// </summary>
public sealed class HeartbeatCaller : ClaimsIdentity
{
    HeartbeatCaller(KeyDigest digest, SensorEntry? sensor, CollectorEntry? collector)
        : base(ApiKeyAuthenticationHandler.SchemeName) =>
        (Digest, Sensor, Collector) = (digest, sensor, collector);

    HeartbeatCaller(HeartbeatCaller other) : base(other) =>
        (Digest, Sensor, Collector) = (other.Digest, other.Sensor, other.Collector);

    public KeyDigest Digest { get; }

    /// <summary>Set for a sensor key (exactly one of <see cref="Sensor"/> and <see cref="Collector"/> is).</summary>
    public SensorEntry? Sensor { get; }

    /// <summary>Set for a collector key.</summary>
    public CollectorEntry? Collector { get; }

    public bool IsCollector => Collector is not null;

    /// <summary>The key's owner in <paramref name="credentials"/>, or null when the key is unknown there.</summary>
    public static HeartbeatCaller? Identify(CredentialSet credentials, KeyDigest digest) =>
        credentials.FindSensorByKey(digest) is { } sensor
            ? new HeartbeatCaller(digest, sensor, null)
            : credentials.FindCollectorByKey(digest) is { } collector ? new HeartbeatCaller(digest, null, collector) : null;

    /// <summary>The caller of a request that passed the heartbeat routes' authorization policy.</summary>
    public static HeartbeatCaller Of(HttpContext http) => http.User.Identity as HeartbeatCaller
        ?? throw new InvalidOperationException("No heartbeat caller: the route lacks RequireHeartbeatAdmission().");

    public override ClaimsIdentity Clone() => new HeartbeatCaller(this);
}
