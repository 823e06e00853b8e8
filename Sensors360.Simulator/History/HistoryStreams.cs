namespace Sensors360.Simulator.History;

/// <summary>
/// The <see cref="Fleet.StableRandom"/> stream ids of the history, one per purpose and combined with the slot and the
/// sensor's generation, so that changing one draw never shifts the numbers drawn for anything else.
/// </summary>
internal static class HistoryStreams
{
    public const long Slot = 101;
    public const long Lifetime = 102;
    public const long Sensor = 103;
    public const long Failure = 104;
    public const long Flapping = 105;
    public const long Slowdowns = 106;
    public const long FlapSchedule = 107;
    public const long Beats = 108;
}
