using System.Globalization;
using System.Text.Json;

namespace Sensors360.Bench;

/// <summary>What one run of the load tool reported, where the CPU went meanwhile and, if watched, the queue's depth.</summary>
public sealed record LoadResult(string Name, JsonElement Report, IReadOnlyList<QueueSample> Queue)
{
    public double AcceptedPerSecond => Report.GetProperty("acceptedPerSecond").GetDouble();

    public double RequestsPerSecond => Report.GetProperty("requestsPerSecond").GetDouble();

    /// <summary>Latency p99 in ms (from the schedule when the run had a rate).</summary>
    public double P99 => Report.GetProperty("latencyMs").GetProperty("p99").GetDouble();

    public double StoredPerSecond => Report.GetProperty("persisted").GetProperty("perSecond").GetDouble();

    public DateTimeOffset MeasuredFrom => Report.GetProperty("measuredFrom").GetDateTimeOffset();

    public DateTimeOffset MeasuredTo => Report.GetProperty("measuredTo").GetDateTimeOffset();

    public QueueDepthSummary QueueDepth => QueueMonitor.Summarize(Queue, MeasuredFrom, MeasuredTo);
}

/// <summary>Runs the simulator's load mode (docs/load-tool.md) as a separate process, as a client would be.</summary>
public static class LoadTool
{
    /// <param name="name">For the CPU line, the queue series in results.json, and messages.</param>
    /// <param name="queue">When given, the heartbeats queue is sampled every second while the tool runs.</param>
    public static async Task<LoadResult> RunAsync(
        string name, string[] arguments, BenchReport report, QueueMonitor? queue, CancellationToken cancellationToken)
    {
        var output = Path.Combine(Path.GetTempPath(), $"sensors360-bench-{name}-{Guid.NewGuid():N}.json");
        try
        {
            Console.WriteLine($"    load: {name}");
            await using var profile = CpuProfile.Start();
            await using var sampling = queue?.StartSampling(TimeSpan.FromSeconds(1));
            var exit = await Tools.RunAsync(Tools.Assembly("Sensors360.Simulator"), ["load", .. arguments, $"--Load:JsonOutput={output}"], cancellationToken);
            var samples = sampling is null ? [] : await sampling.StopAsync();
            var shares = CpuProfile.Format(await profile.StopAsync());
            Console.WriteLine($"    CPU during {name}: {shares}");
            report.Profiles.Add($"{name}: {shares}");
            if (exit != 0 || !File.Exists(output))
            {
                throw new InvalidOperationException($"The load tool failed ({name}, exit {exit}).");
            }
            var result = new LoadResult(name, JsonDocument.Parse(await File.ReadAllTextAsync(output, cancellationToken)).RootElement.Clone(), samples);
            if (samples.Count > 0)
            {
                report.Series[$"{name}: heartbeats queue"] = Series(samples, result.MeasuredFrom);
            }
            return result;
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>The queue samples for results.json: seconds from the start of the measured part, ready, unacked, depth.</summary>
    static object Series(IReadOnlyList<QueueSample> samples, DateTimeOffset measuredFrom) => new
    {
        measuredFrom,
        samples = samples.Select(s => new
        {
            t = Math.Round((s.At - measuredFrom).TotalSeconds, 1),
            s.Ready,
            s.Unacked,
            s.Depth,
        }),
    };

    public static string Arg(string name, TimeSpan value) => $"--Load:{name}={value.ToString("c", CultureInfo.InvariantCulture)}";
}
