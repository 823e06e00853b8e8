using System.Globalization;

namespace Sensors360.Bench;

/// <summary>
/// Where the machine's CPU went during a scenario, by component: per-process user+system time from /proc, summed
/// over PostgreSQL, RabbitMQ, each service, the load tool and the rest. The first thing to read when a target is
/// missed: it names the process that saturates.
/// </summary>
public sealed class CpuProfile
{
    static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    readonly Dictionary<int, (string Component, double Seconds)> _start;
    readonly DateTime _startedAt = DateTime.UtcNow;

    CpuProfile(Dictionary<int, (string Component, double Seconds)> start) => _start = start;

    public static CpuProfile Start() => new(Sample());

    /// <returns>Each component's share of the whole machine (all cores) since <see cref="Start"/>, largest first.</returns>
    public IReadOnlyList<(string Component, double Share)> Stop()
    {
        var end = Sample();
        var wall = (DateTime.UtcNow - _startedAt).TotalSeconds * Environment.ProcessorCount;
        return end.Select(p => (p.Value.Component, Seconds: p.Value.Seconds - (_start.TryGetValue(p.Key, out var s) ? s.Seconds : 0)))
            .GroupBy(p => p.Component)
            .Select(g => (g.Key, g.Sum(p => p.Seconds) / wall))
            .Where(c => c.Item2 >= 0.005)
            .OrderByDescending(c => c.Item2)
            .ToList();
    }

    public static string Format(IReadOnlyList<(string Component, double Share)> shares) =>
        string.Join(", ", shares.Select(s => $"{s.Component} {s.Share.ToString("P0", CultureInfo.InvariantCulture)}"));

    static Dictionary<int, (string Component, double Seconds)> Sample()
    {
        var result = new Dictionary<int, (string Component, double Seconds)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = ProcessMemory.StatFields(stat);
                var ticks = double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
                var comm = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                result[pid] = (Classify(comm, cmdline), ticks / TicksPerSecond);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // gone while we looked
            }
        }
        return result;
    }

    static string Classify(string comm, string cmdline) => comm switch
    {
        "postgres" => "PostgreSQL",
        "beam.smp" or "erl_child_setup" or "inet_gethost" or "epmd" => "RabbitMQ",
        _ when cmdline.Contains("Ingestion.Api", StringComparison.Ordinal) => "Ingestion.Api",
        _ when cmdline.Contains("Monitor.Worker", StringComparison.Ordinal) => "Monitor.Worker",
        _ when cmdline.Contains("Realtime.Gateway", StringComparison.Ordinal) => "Realtime.Gateway",
        _ when cmdline.Contains("Sensors360.Simulator", StringComparison.Ordinal) => "load tool",
        _ when cmdline.Contains("HelloWorld", StringComparison.Ordinal) => "hello-world",
        _ when cmdline.Contains("Sensors360.Bench", StringComparison.Ordinal) => "bench (COPY, clients)",
        _ => "other",
    };
}
