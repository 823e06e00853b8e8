using Sensors360.History;

namespace Sensors360.Simulator.History;

/// <summary>
/// One sensor of the history: installed in a slot, dies at <see cref="DeathAt"/> (always known: the renewal runs past
/// the window), retired and replaced when the replacement was installed by the end of the history.
/// </summary>
public sealed record PlannedSensor(
    long Id,
    int Slot,
    int Generation,
    string Tag,
    IReadOnlyDictionary<string, string> Labels,
    string KeyHash,
    int IntervalSeconds,
    DateTimeOffset InstalledAt,
    DateTimeOffset DeathAt,
    HistoryFailure Failure,
    DateTimeOffset? DegradeStart,
    double DegradeFactor,
    DateTimeOffset? RetiredAt,
    long? ReplacedBy,
    bool Flapping)
{
    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);

    /// <summary>Its row of <c>history-truth.csv</c>.</summary>
    public HistoryTruthRow ToTruthRow() => new(
        Id, Tag, Slot, InstalledAt, DeathAt, Failure, DegradeStart, RetiredAt, IntervalSeconds, Flapping);
}

/// <summary>Every sensor installed by <see cref="EndAt"/>, in id (= installation) order.</summary>
public sealed record HistoryPlan(DateTimeOffset WindowStart, DateTimeOffset EndAt, IReadOnlyList<PlannedSensor> Sensors);
