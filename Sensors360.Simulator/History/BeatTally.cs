namespace Sensors360.Simulator.History;

/// <summary>
/// Follows one sensor's beats as they are written, for its <c>sensors</c> row: how many, the last one, and since when
/// it has been up — the monitor restarts that clock with the first receipt after a gap that made the sensor late.
/// </summary>
public sealed class BeatTally(TimeSpan lateAfter, DateTimeOffset? upSince = null)
{
    public long Count { get; private set; }

    public Beat? Last { get; private set; }

    public DateTimeOffset? UpSince { get; private set; } = upSince;

    public void Add(Beat beat)
    {
        if (Last is { } previous ? beat.ReceivedAt - previous.ReceivedAt > lateAfter : UpSince is null)
        {
            UpSince = beat.ReceivedAt;
        }

        Last = beat;
        Count++;
    }
}
