using Npgsql;

namespace Sensors360.Bench;

/// <summary>(f) Monitor.Worker's resident memory once it has worked a large fleet for a few periods.</summary>
public static class WorkerMemoryBench
{
    public static async Task<BenchRow[]> RunAsync(BenchSystem system, NpgsqlDataSource db, int sensors, CancellationToken cancellationToken)
    {
        // Let it run several snapshots (5 s) and at least one staleness scan (30 s) over the whole fleet.
        var samples = new List<double>();
        for (var i = 0; i < 8; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            samples.Add(system.ResidentBytes("monitor-worker", "Monitor.Worker") / 1024.0 / 1024.0);
        }
        await using var count = db.CreateCommand("SELECT count(*) FROM sensors");
        var total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        var peak = samples.Max();
        Console.WriteLine($"(f) worker RSS over 40 s with {total:#,0} sensors: {string.Join(", ", samples.Select(s => $"{s:0}"))} MB");
        return
        [
            new($"(f) Monitor.Worker with {total:#,0} sensors", "RSS (max of 8 samples over 40 s)", peak, null, "", "≤ 500 MB", peak <= 500, "MB") { LowerIsBetter = true },
        ];
    }
}
