using System.Threading.Channels;

namespace Sensors360.Messaging;

/// <summary>How the services gather waiting work into one batch: whole items only, as many as fit.</summary>
public static class ChannelBatches
{
    /// <summary>
    /// Moves waiting items into <paramref name="batch"/> while its size stays within <paramref name="maxSize"/>; the
    /// first item of an empty batch is taken whatever its size, and an item is never split.
    /// </summary>
    /// <returns>The batch's size afterwards.</returns>
    public static int Drain<T>(ChannelReader<T> reader, List<T> batch, int size, int maxSize, Func<T, int> sizeOf)
    {
        while (reader.TryPeek(out var next) && (size == 0 || size + sizeOf(next) <= maxSize))
        {
            reader.TryRead(out _);
            batch.Add(next);
            size += sizeOf(next);
        }
        return size;
    }
}
