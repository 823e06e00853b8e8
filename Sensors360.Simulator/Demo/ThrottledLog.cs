using System.Collections.Concurrent;

namespace Sensors360.Simulator.Demo;

/// <summary>
/// Lets one message per key through per period: a down API answers every sensor alike, and one line a minute
/// says as much as thousands. The status line keeps counting in between.
/// </summary>
public sealed class ThrottledLog(TimeProvider time, TimeSpan period)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastLogged = new();

    public bool ShouldLog(string key)
    {
        var now = time.GetUtcNow();
        var last = _lastLogged.GetOrAdd(key, DateTimeOffset.MinValue);
        return now - last >= period && _lastLogged.TryUpdate(key, now, last);
    }
}
