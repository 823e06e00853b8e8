namespace Sensors360.Simulator.Api;

public enum HeartbeatResult
{
    /// <summary>202.</summary>
    Accepted,

    /// <summary>401: the API does not know the key.</summary>
    UnknownKey,

    /// <summary>403: the sensor is retired, or the key is not this sensor's.</summary>
    Forbidden,

    /// <summary>429.</summary>
    RateLimited,

    /// <summary>503: the API cannot take heartbeats right now (e.g. the broker is down).</summary>
    Unavailable,

    /// <summary>Any other answer.</summary>
    Rejected,

    /// <summary>No answer: connection refused, timeout.</summary>
    Failed,
}

/// <param name="StatusCode">Null when no response came back.</param>
/// <param name="RetryAfter">From the Retry-After header, when present.</param>
/// <param name="Detail">What went wrong, for the log: the problem's detail or title, or the exception's message.</param>
public sealed record HeartbeatOutcome(HeartbeatResult Result, int? StatusCode, TimeSpan? RetryAfter = null, string? Detail = null);
