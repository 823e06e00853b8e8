using Sensors360.Simulator.Fleet;

namespace Sensors360.Simulator.Behaviour;

/// <summary>A silent period of a flapping sensor: no heartbeat in [Start, End).</summary>
public readonly record struct Silence(DateTimeOffset Start, DateTimeOffset End);

/// <summary>
/// Alternating healthy and silent periods from the fleet's creation on, drawn from a seeded stream so a restarted
/// simulator finds the same periods. Generated lazily as time goes on. Thread-safe.
/// </summary>
public sealed class FlapSchedule(StableRandom random, DateTimeOffset start, SimulatorOptions options)
{
    private readonly List<Silence> _silences = [];
    private readonly Lock _lock = new();
    private DateTimeOffset _generatedUntil = start;

    /// <returns>The silence that contains <paramref name="time"/>, if any.</returns>
    public Silence? SilenceAt(DateTimeOffset time)
    {
        lock (_lock)
        {
            GenerateThrough(time);
            var index = LastStartingAtOrBefore(time);
            return index >= 0 && time < _silences[index].End ? _silences[index] : null;
        }
    }

    /// <returns>Every silence that starts before <paramref name="until"/>.</returns>
    public IReadOnlyList<Silence> SilencesUntil(DateTimeOffset until)
    {
        lock (_lock)
        {
            GenerateThrough(until);
            return _silences.Where(s => s.Start < until).ToArray();
        }
    }

    private void GenerateThrough(DateTimeOffset time)
    {
        while (_generatedUntil <= time)
        {
            var silenceStart = _generatedUntil + random.NextTimeSpan(options.FlapHealthyMin, options.FlapHealthyMax);
            var silenceEnd = silenceStart + random.NextTimeSpan(options.FlapSilenceMin, options.FlapSilenceMax);
            _silences.Add(new Silence(silenceStart, silenceEnd));
            _generatedUntil = silenceEnd;
        }
    }

    private int LastStartingAtOrBefore(DateTimeOffset time)
    {
        int low = 0, high = _silences.Count - 1, found = -1;
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            if (_silences[middle].Start <= time)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found;
    }
}
