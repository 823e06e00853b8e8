namespace Sensors360.Simulator.History;

/// <summary>Follows one sensor's beats as they are written, for its <c>sensors</c> row: how many, the first and the last.</summary>
/// <param name="heardBefore">The sensor was installed before the window: it was heard before its first beat here.</param>
public sealed class BeatTally(bool heardBefore = false)
{
    public bool HeardBefore { get; } = heardBefore;

    public long Count { get; private set; }

    public Beat? First { get; private set; }

    public Beat? Last { get; private set; }

    public void Add(Beat beat)
    {
        First ??= beat;
        Last = beat;
        Count++;
    }
}
