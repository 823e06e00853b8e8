namespace Sensors360.Simulator.History;

/// <summary>What <see cref="HistoryGenerator.GenerateAsync"/> wrote.</summary>
public sealed record HistorySummary(
    int Sensors,
    long Heartbeats,
    int DeathsInWindow,
    int DeathsInWindowWithWarning,
    DateTimeOffset WindowStart,
    DateTimeOffset EndAt,
    string TruthPath,
    TimeSpan Elapsed)
{
    public double RowsPerSecond => (Sensors + Heartbeats) / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>The database already has sensors and <see cref="HistoryOptions.Replace"/> was not given.</summary>
public sealed class DatabaseNotEmptyException(long sensors)
    : InvalidOperationException($"The sensors table is not empty ({sensors:#,0} sensors). Run with --History:Replace=true to empty sensors, heartbeats and sensor_state_changes first.")
{
    public long Sensors { get; } = sensors;
}
