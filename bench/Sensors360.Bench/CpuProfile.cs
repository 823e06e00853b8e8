using System.Globalization;

namespace Sensors360.Bench;

/// <summary>
/// Where the machine's CPU went during a scenario, by component: per-process user+system time from /proc, summed
/// over PostgreSQL, RabbitMQ, each service, the load tool and the rest. The first thing to read when a target is
/// missed: it names the process that saturates.
/// </summary>
/// <remarks>
/// /proc forgets a process once it has exited, and the load tool exits before the profile is read; so the processes
/// are sampled every <see cref="SamplePeriod"/> while the profile runs and each keeps its last reading. A process
/// that exits counts up to its last sample: at most one period of its CPU is lost (the load tool's last quarter
/// second, writing its report). A process that starts after <see cref="Start"/> counts from zero, i.e. all of it.
/// </remarks>
public sealed class CpuProfile : IAsyncDisposable
{
    public static readonly TimeSpan SamplePeriod = TimeSpan.FromMilliseconds(250);

    static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    // Keyed by pid and start time (a pid may be reused): component, CPU seconds at the start, at the last sample.
    readonly Dictionary<(int Pid, long Started), (string Component, double First, double Last)> _processes = [];
    readonly Lock _lock = new();
    readonly DateTime _startedAt = DateTime.UtcNow;
    readonly CancellationTokenSource _stop = new();
    readonly Task _sampling;

    CpuProfile()
    {
        Sample(initial: true);
        _sampling = SampleAsync(_stop.Token);
    }

    public static CpuProfile Start() => new();

    /// <returns>Each component's share of the whole machine (all cores) since <see cref="Start"/>, largest first.</returns>
    public async Task<IReadOnlyList<(string Component, double Share)>> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        Sample(initial: false);
        var wall = (DateTime.UtcNow - _startedAt).TotalSeconds * Environment.ProcessorCount;
        lock (_lock)
        {
            return _processes.Values
                .GroupBy(p => p.Component)
                .Select(g => (g.Key, g.Sum(p => p.Last - p.First) / wall))
                .Where(c => c.Item2 >= 0.005)
                .OrderByDescending(c => c.Item2)
                .ToList();
        }
    }

    public static string Format(IReadOnlyList<(string Component, double Share)> shares) =>
        string.Join(", ", shares.Select(s => $"{s.Component} {s.Share.ToString("P0", CultureInfo.InvariantCulture)}"));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }

    async Task SampleAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(SamplePeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Sample(initial: false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    void Sample(bool initial)
    {
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
                var seconds = (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
                var key = (pid, long.Parse(fields[19], CultureInfo.InvariantCulture));
                lock (_lock)
                {
                    if (_processes.TryGetValue(key, out var known))
                    {
                        _processes[key] = known with { Last = seconds };
                        continue;
                    }
                }
                // Seen for the first time: classified once. One that was there at the start counts from there; a
                // newcomer started during the profile, so all of its time is the profile's.
                var comm = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                lock (_lock)
                {
                    _processes[key] = (Classify(comm, cmdline), initial ? seconds : 0, seconds);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // gone while we looked
            }
        }
    }

    static string Classify(string comm, string cmdline) => comm switch
    {
        "postgres" => "PostgreSQL",
        "beam.smp" or "erl_child_setup" or "inet_gethost" or "epmd" => "RabbitMQ",
        // The orchestrator, which also runs the proxy in front of each service's replicas.
        "dcp" => "DCP",
        _ when cmdline.Contains("Ingestion.Api", StringComparison.Ordinal) => "Ingestion.Api",
        _ when cmdline.Contains("Monitor.Worker", StringComparison.Ordinal) => "Monitor.Worker",
        _ when cmdline.Contains("Realtime.Gateway", StringComparison.Ordinal) => "Realtime.Gateway",
        _ when cmdline.Contains("Sensors360.Simulator", StringComparison.Ordinal) => "load tool",
        _ when cmdline.Contains("HelloWorld", StringComparison.Ordinal) => "hello-world",
        _ when cmdline.Contains("Sensors360.Bench", StringComparison.Ordinal) => "bench (COPY, clients, probes)",
        _ => "other",
    };
}
