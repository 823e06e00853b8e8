using Sensors360.History;
using Sensors360.Simulator.History;
using Beat = Sensors360.Simulator.History.Beat;

namespace Sensors360.Simulator.Tests.History;

/// <summary>Options and hand-made sensors for the history tests.</summary>
internal static class HistoryTestData
{
    public static readonly DateTimeOffset EndAt = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public static HistoryOptions Options(Action<HistoryOptions>? configure = null)
    {
        var options = new HistoryOptions { ConnectionString = "Host=unused", EndAt = EndAt };
        configure?.Invoke(options);
        return options;
    }

    public static PlannedSensor Sensor(
        int intervalSeconds = 600,
        DateTimeOffset? installedAt = null,
        DateTimeOffset? deathAt = null,
        DateTimeOffset? degradeStart = null,
        double degradeFactor = 1,
        DateTimeOffset? retiredAt = null,
        bool flapping = false,
        int slot = 1) =>
        new(
            Id: 1000 + slot, Slot: slot, Generation: 1, Tag: HistoryPlanner.Tag(42, slot, 1),
            Labels: new Dictionary<string, string> { ["site"] = "north", ["kind"] = "pump", ["slot"] = $"{slot}", ["fleet"] = "history-42" },
            KeyHash: new string('a', 64), IntervalSeconds: intervalSeconds,
            InstalledAt: installedAt ?? EndAt.AddDays(-200), DeathAt: deathAt ?? EndAt.AddDays(300),
            Failure: degradeStart is null ? HistoryFailure.Sudden : HistoryFailure.Degrading, DegradeStart: degradeStart,
            DegradeFactor: degradeFactor, RetiredAt: retiredAt, ReplacedBy: retiredAt is null ? null : 2000 + slot, Flapping: flapping);

    /// <summary>Gaps in seconds between consecutive sensor times.</summary>
    public static double[] Gaps(IEnumerable<Beat> beats) =>
        [.. beats.Zip(beats.Skip(1), (a, b) => (b.SensorTime - a.SensorTime).TotalSeconds)];
}
