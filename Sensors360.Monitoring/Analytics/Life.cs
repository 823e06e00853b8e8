namespace Sensors360.Monitoring.Analytics;

/// <summary>
/// How long a sensor has lived. <see cref="Ended"/> false means it is still alive: the life is censored, i.e. it
/// lasted at least <see cref="Duration"/>.
/// </summary>
public readonly record struct Life(TimeSpan Duration, bool Ended);
