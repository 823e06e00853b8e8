namespace Sensors360.Contracts;

/// <summary>What the worker answers the AppHost's "Scan for stale sensors now" command with, at <see cref="Path"/>.</summary>
/// <param name="Transitions">Sensors this scan moved to late or down.</param>
/// <param name="Stale">Sensors stale after it.</param>
public sealed record ScanReport(DateTimeOffset At, int Transitions, int Stale)
{
    public const string Path = "/internal/scan";
}

/// <summary>What the worker answers a request to score the fleet now with, at <see cref="Path"/>.</summary>
/// <param name="Scored">Live sensors scored.</param>
/// <param name="AtRisk">Of them, at or above the threshold.</param>
/// <param name="Seconds">How long the pass took (features, risks and their storage).</param>
public sealed record ScoreReport(DateTimeOffset At, int Scored, int AtRisk, int NewlyAtRisk, double Seconds)
{
    public const string Path = "/internal/score";
}
