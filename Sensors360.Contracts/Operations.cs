namespace Sensors360.Contracts;

/// <summary>What the worker answers the AppHost's "Scan for stale sensors now" command with, at <see cref="Path"/>.</summary>
/// <param name="Transitions">Sensors this scan moved to late or down.</param>
/// <param name="Stale">Sensors stale after it.</param>
public sealed record ScanReport(DateTimeOffset At, int Transitions, int Stale)
{
    public const string Path = "/internal/scan";
}
