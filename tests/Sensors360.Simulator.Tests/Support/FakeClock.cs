
namespace Sensors360.Simulator.Tests.Support;

/// <summary>Waiting for code that runs on a <see cref="FakeTimeProvider"/>, with a deadline of real time.</summary>
public static class FakeClock
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Advances the clock a <paramref name="step"/> at a time until <paramref name="done"/> holds, giving work on the
    /// thread pool <paramref name="pause"/> (1 ms) of real time after each step; fails after 30 s of real time.
    /// </summary>
    /// <remarks>
    /// A single Advance can come before the code under test has set its timer, which then lies a whole wait beyond
    /// it; moving on until the outcome is there makes that timer fire at a later step instead of never.
    /// </remarks>
    public static async Task AdvanceUntilAsync(this FakeTimeProvider time, Func<bool> done, TimeSpan step, TimeSpan? pause = null)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not done within {Timeout} of real time; the fake clock is at {time}.");
            time.Advance(step);
            if ((pause ?? TimeSpan.FromMilliseconds(1)) is { Ticks: > 0 } wait)
            {
                await Task.Delay(wait);
            }
            else
            {
                await Task.Yield();
            }
        }
    }

    /// <summary>Waits until <paramref name="done"/> holds without moving the clock (30 s of real time at most).</summary>
    public static Task WaitUntilAsync(this FakeTimeProvider time, Func<bool> done) => time.AdvanceUntilAsync(done, TimeSpan.Zero);
}
