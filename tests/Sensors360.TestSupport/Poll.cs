namespace Sensors360.TestSupport;

/// <summary>Waiting for something to become true, with a deadline instead of a fixed sleep.</summary>
public static class Poll
{
    static readonly TimeSpan DefaultEvery = TimeSpan.FromMilliseconds(200);

    /// <summary>Checks <paramref name="condition"/> every <paramref name="every"/> (200 ms) until it holds or <paramref name="timeout"/> passes.</summary>
    /// <returns>Whether it held in time.</returns>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return true;
            }
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }
            await Task.Delay(every ?? DefaultEvery);
        }
    }
}
