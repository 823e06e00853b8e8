using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Sensors360.Simulator.Api;

/// <summary>Builds heartbeat requests in the current JSON form or the prototype's legacy query-string form.</summary>
public static class HeartbeatRequests
{
    public const string ApiKeyHeader = "X-Api-Key";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record HeartbeatBody(long SensorId, string Timestamp);

    /// <param name="ingestion">The ingestion API's base URL.</param>
    public static HttpRequestMessage Create(Uri ingestion, long sensorId, string key, DateTimeOffset now, bool legacy)
    {
        HttpRequestMessage request;
        if (legacy)
        {
            var query = string.Create(CultureInfo.InvariantCulture, $"api/v0/heartbeat?sensor_id={sensorId}&timestamp={now.ToUnixTimeSeconds()}");
            request = new HttpRequestMessage(HttpMethod.Post, new Uri(WithTrailingSlash(ingestion), query));
        }
        else
        {
            var body = JsonSerializer.Serialize(new HeartbeatBody(sensorId, IsoUtc(now)), Json);
            request = new HttpRequestMessage(HttpMethod.Post, new Uri(WithTrailingSlash(ingestion), "api/heartbeats"))
            {
                Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            };
        }

        request.Headers.Add(ApiKeyHeader, key);
        return request;
    }

    /// <summary>ISO-8601 in UTC with milliseconds and a "Z", e.g. <c>2026-11-28T10:05:00.123Z</c>.</summary>
    public static string IsoUtc(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Without it, a base URL with a path ("http://host/prefix") would lose its last segment.</summary>
    public static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri.TrimEnd('/') + "/");
}
