using System.Net.Http.Json;
using Sensors360.Contracts;

namespace Realtime.Gateway.Realtime;

/// <summary>
/// The snapshot a new client gets at once: the latest from the bus, or — right after this gateway started, before
/// the first one arrived — the monitor's current figures from its stats API.
/// </summary>
public sealed class SnapshotSource(HttpClient monitor, RealtimeHub hub, ILogger<SnapshotSource> logger)
{
    public async Task<byte[]?> LatestAsync(CancellationToken cancellationToken)
    {
        if (hub.LatestSnapshot is { } frame)
        {
            return frame;
        }
        try
        {
            var stats = await monitor.GetFromJsonAsync<SensorStatusSnapshot>("/api/stats", cancellationToken);
            if (stats is not null)
            {
                hub.RememberSnapshot(stats);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            logger.LogWarning(ex, "No snapshot yet and the monitor's stats are unavailable; the client gets the next published one");
        }
        return hub.LatestSnapshot;
    }
}
