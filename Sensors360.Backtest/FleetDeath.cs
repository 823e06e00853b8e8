using Sensors360.History;

namespace Sensors360.Backtest;

/// <summary>A death the backtest judges the model by: which sensor, when, and whether it gave warning.</summary>
public sealed record FleetDeath(long SensorId, DateTimeOffset DiedAt, HistoryFailure Failure)
{
    /// <summary>The simulator's ground truth: every sensor it scripted has a death, within the history or after it.</summary>
    public static IReadOnlyList<FleetDeath> From(IEnumerable<HistoryTruthRow> truth) =>
        [.. truth.Select(t => new FleetDeath(t.SensorId, t.DeathAt, t.Failure))];
}
