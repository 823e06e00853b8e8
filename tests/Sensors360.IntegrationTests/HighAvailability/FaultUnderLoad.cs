using System.Diagnostics;
using Sensors360.IntegrationTests.Reliability;

namespace Sensors360.IntegrationTests.HighAvailability;

/// <summary>What sensors and operators saw while one instance was killed under load.</summary>
/// <param name="AnswersInterrupted">From the kill to the last answer other than 202; null when every request got 202.</param>
/// <param name="StoringResumed">From the kill until <see cref="FaultUnderLoad.ResumeRows"/> more heartbeats were stored.</param>
/// <param name="StreamsFresh">From the kill until every live client had a snapshot newer than the kill.</param>
public sealed record FaultOutcome(Tally Tally, IReadOnlyDictionary<int, int> Refusals, TimeSpan? AnswersInterrupted,
    TimeSpan StoringResumed, TimeSpan StreamsFresh, int StreamDrops, TimeSpan Recovered)
{
    public bool Met => Tally.Lost == 0 && Tally.Duplicated == 0;

    public string Describe(string extra = "")
    {
        var refusals = Refusals.Count == 0 ? "none" : string.Join(", ", Refusals.OrderBy(r => r.Key).Select(r => $"{r.Value}× {(r.Key == 0 ? "no answer" : r.Key)}"));
        return $"answers other than 202: {refusals}" +
            (AnswersInterrupted is { } gap ? $", the last {gap.TotalSeconds:0.0} s after the kill" : "") +
            $"; {FaultUnderLoad.ResumeRows:#,0} more heartbeats stored {StoringResumed.TotalSeconds:0.0} s after the kill; " +
            $"every live client had a fresh snapshot {StreamsFresh.TotalSeconds:0.0} s after it ({StreamDrops} streams dropped and reconnected); " +
            $"killed instance healthy again {Recovered.TotalSeconds:0.0} s after the kill{extra}; {Tally}";
    }
}

/// <summary>When the killed instance is started again.</summary>
public enum Restart
{
    /// <summary>As soon as it is gone, as a supervisor would, before measuring.</summary>
    AtOnce,

    /// <summary>Once the survivors have shown they carry on alone.</summary>
    AfterMeasuring,

    /// <summary>Not at all (a promoted standby took its place).</summary>
    Never,
}

/// <summary>
/// The frame of every ha fault scenario: a steady heartbeat load (4 clients × 100 heartbeats per request) and
/// <see cref="Clients"/> operators' WebSockets, one instance SIGKILLed, what followed measured, the instance started
/// again, and every accepted heartbeat counted in the database.
/// </summary>
public static class FaultUnderLoad
{
    public const int Clients = 20;
    public const long ResumeRows = 2_000;

    /// <param name="kill">Kills one instance, returning the clock started at the kill and the instance to start again.</param>
    /// <param name="database">Where to count what was stored, when the fault moves the primary.</param>
    public static async Task<FaultOutcome> RunAsync(HaFixture fixture, string name,
        Func<CancellationToken, Task<(Stopwatch Killed, string Instance)>> kill, Restart restart, string? database = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var load = await HeartbeatLoad.CreateAsync(fixture.App, name, sensorCount: 10, database);
        await using var clients = await LiveClients.ConnectAsync(fixture.App, Clients);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(workers: 4, batchSize: 100, TimeSpan.FromMilliseconds(100), stop.Token);

        string? instance = null;
        TimeSpan storing, fresh, recovered;
        DateTimeOffset killedAt;
        Stopwatch killed;
        try
        {
            Assert.True(await Poll.UntilAsync(async () => await load.RowsAsync() > ResumeRows, TimeSpan.FromSeconds(60)), "nothing was stored before the fault");
            var rowsAtKill = await load.RowsAsync();
            var streamsAtKill = clients.Now;
            killedAt = DateTimeOffset.UtcNow;
            (killed, instance) = await kill(cts.Token);
            if (restart == Restart.AtOnce)
            {
                await fixture.StartAsync(instance, cts.Token);
            }

            Assert.True(await Poll.UntilAsync(async () => await CountAsync(load) >= rowsAtKill + ResumeRows, TimeSpan.FromMinutes(2)),
                "storing did not resume within 2 minutes of the kill");
            storing = killed.Elapsed;
            Assert.True(await clients.AllFreshAsync(streamsAtKill, TimeSpan.FromMinutes(1)), "a live client got no snapshot within a minute of the kill");
            fresh = killed.Elapsed;

            // The load runs on a while past the recovery, so answers during and after it are in the ledger.
            var acceptedNow = load.Accepted;
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(load.Accepted > acceptedNow + 2_000), TimeSpan.FromSeconds(60)),
                "the API accepted too little after the recovery");
            if (restart == Restart.AfterMeasuring)
            {
                await fixture.StartAsync(instance, cts.Token);
            }
            recovered = restart == Restart.Never ? fresh : killed.Elapsed;
        }
        finally
        {
            await stop.CancelAsync();
            await running;
            if (instance is not null && restart != Restart.Never)
            {
                await fixture.RestoreAsync(instance);
            }
        }

        var tally = await load.SettleAsync(TimeSpan.FromMinutes(2));
        var after = load.RefusedAt.Where(t => t >= killedAt).ToList();
        return new FaultOutcome(tally, load.Refusals, after.Count == 0 ? null : after.Max() - killedAt, storing, fresh, clients.Drops, recovered);
    }

    /// <summary>Rows so far; a connection the fault broke counts as no progress (the pool heals on its next use).</summary>
    static async Task<long> CountAsync(HeartbeatLoad load)
    {
        try
        {
            return await load.RowsAsync();
        }
        catch (Npgsql.NpgsqlException)
        {
            return 0;
        }
    }
}
