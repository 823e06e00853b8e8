namespace Sensors360.History;

/// <summary>One sensor of <c>history-truth.csv</c>: what the history scripted for it.</summary>
public sealed record HistoryTruthRow(
    long SensorId,
    string Tag,
    int Slot,
    DateTimeOffset InstalledAt,
    DateTimeOffset DeathAt,
    HistoryFailure Failure,
    DateTimeOffset? DegradeStart,
    DateTimeOffset? RetiredAt,
    int IntervalSeconds,
    bool Flapping);
