using System.Collections.Concurrent;
using HdrHistogram;
using Sensors360.Measurement;

namespace Sensors360.Simulator.Load;

/// <summary>What became of the requests of one part of the run (all of it, or the measured part).</summary>
/// <param name="ByStatus">Responses per HTTP status code.</param>
/// <param name="TransportErrors">No response: connection refused or reset, DNS, TLS.</param>
/// <param name="Timeouts">No response within the request timeout.</param>
/// <param name="Heartbeats">Heartbeats in the requests that were answered or failed.</param>
/// <param name="AcceptedHeartbeats">Heartbeats in the requests answered 2xx.</param>
/// <param name="Latency">
/// From the moment the request was due to be sent (its slot in the schedule, when there is one) to the end of the
/// response, in microseconds; answered requests only. Measuring from the schedule rather than from the actual send
/// corrects for coordinated omission: a request held back because the server was slow counts the wait.
/// </param>
/// <param name="ServiceTime">From the actual send to the end of the response (the same as <paramref name="Latency"/> without a schedule).</param>
public sealed record Tally(
    IReadOnlyDictionary<int, long> ByStatus, long TransportErrors, long Timeouts, long Heartbeats, long AcceptedHeartbeats, HistogramBase Latency,
    HistogramBase ServiceTime)
{
    public long Responses => ByStatus.Values.Sum();

    public long Requests => Responses + TransportErrors + Timeouts;

    /// <summary>Requests answered 2xx.</summary>
    public long Succeeded => ByStatus.Where(s => s.Key is >= 200 and < 300).Sum(s => s.Value);

    /// <summary>Requests not answered 2xx, failures included.</summary>
    public long Failed => Requests - Succeeded;

    public long CountOf(int status) => ByStatus.GetValueOrDefault(status);
}

/// <summary>The whole run so far, and the part of it that is measured (after the warm-up).</summary>
public sealed record LoadSnapshot(Tally All, Tally Measured);

/// <summary>
/// One sender's counters. Only its sender writes to them, so counting takes no lock and no interlocked instruction;
/// latencies go to the run's shared HdrHistogram recorders (wait-free). <see cref="LoadStats.Snapshot"/> reads them
/// from another thread.
/// </summary>
public sealed class LoadRecorder
{
    internal LoadRecorder(Recorder allLatency, Recorder allService, Recorder measuredLatency, Recorder measuredService)
    {
        All = new Counters(allLatency, allService);
        Measured = new Counters(measuredLatency, measuredService);
    }

    /// <summary>The status code recorded for a request that got no response.</summary>
    public const int TransportError = -1;

    /// <summary>The status code recorded for a request that timed out.</summary>
    public const int Timeout = -2;

    internal Counters All { get; }

    internal Counters Measured { get; }

    /// <param name="status">The HTTP status, or <see cref="TransportError"/> or <see cref="Timeout"/>.</param>
    /// <param name="heartbeats">How many heartbeats the request carried.</param>
    /// <param name="latencyMicroseconds">From when it was due (its slot in the schedule) to the end of the response.</param>
    /// <param name="serviceMicroseconds">From when it was actually sent to the end of the response.</param>
    /// <param name="measured">Whether it completed inside the measured part of the run.</param>
    public void Record(int status, int heartbeats, long latencyMicroseconds, long serviceMicroseconds, bool measured)
    {
        All.Record(status, heartbeats, latencyMicroseconds, serviceMicroseconds);
        if (measured)
        {
            Measured.Record(status, heartbeats, latencyMicroseconds, serviceMicroseconds);
        }
    }

    internal sealed class Counters(Recorder latency, Recorder service)
    {
        // Index = status code; codes outside 100..599 are kept under 0 (they do not happen with HttpClient).
        private readonly long[] _byStatus = new long[600];
        private long _transportErrors;
        private long _timeouts;
        private long _heartbeats;
        private long _accepted;

        public void Record(int status, int heartbeats, long latencyMicroseconds, long serviceMicroseconds)
        {
            switch (status)
            {
                case TransportError:
                    Volatile.Write(ref _transportErrors, _transportErrors + 1);
                    break;
                case Timeout:
                    Volatile.Write(ref _timeouts, _timeouts + 1);
                    break;
                default:
                    var index = status is >= 100 and < 600 ? status : 0;
                    Volatile.Write(ref _byStatus[index], _byStatus[index] + 1);
                    if (status is >= 200 and < 300)
                    {
                        Volatile.Write(ref _accepted, _accepted + heartbeats);
                    }

                    latency.RecordMicroseconds(latencyMicroseconds);
                    service.RecordMicroseconds(serviceMicroseconds);
                    break;
            }

            Volatile.Write(ref _heartbeats, _heartbeats + heartbeats);
        }

        public void AddTo(long[] byStatus, ref long transportErrors, ref long timeouts, ref long heartbeats, ref long accepted)
        {
            for (var i = 0; i < byStatus.Length; i++)
            {
                byStatus[i] += Volatile.Read(ref _byStatus[i]);
            }

            transportErrors += Volatile.Read(ref _transportErrors);
            timeouts += Volatile.Read(ref _timeouts);
            heartbeats += Volatile.Read(ref _heartbeats);
            accepted += Volatile.Read(ref _accepted);
        }
    }
}

/// <summary>
/// The run's counters: one <see cref="LoadRecorder"/> per sender, added up on demand; the latencies of all senders,
/// for the whole run and for its measured part; and one example of each kind of error.
/// </summary>
public sealed class LoadStats
{
    private readonly List<LoadRecorder> _recorders = [];
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<string, string> _errorSamples = new();
    private readonly LatencyParts _allLatency = new();
    private readonly LatencyParts _allService = new();
    private readonly LatencyParts _measuredLatency = new();
    private readonly LatencyParts _measuredService = new();

    public LoadRecorder NewRecorder()
    {
        var recorder = new LoadRecorder(_allLatency.Recorder, _allService.Recorder, _measuredLatency.Recorder, _measuredService.Recorder);
        lock (_lock)
        {
            _recorders.Add(recorder);
        }

        return recorder;
    }

    /// <summary>What the first error of each kind said, by status code ("429") or "transport" / "timeout".</summary>
    public IReadOnlyDictionary<string, string> ErrorSamples => _errorSamples;

    /// <summary>Whether no example of this kind of error has been kept yet (so reading the response body is worth it).</summary>
    public bool WantsSample(string kind) => !_errorSamples.ContainsKey(kind);

    public void Sample(string kind, string detail) => _errorSamples.TryAdd(kind, detail);

    public static string KindOf(int status) => status switch
    {
        LoadRecorder.TransportError => "transport",
        LoadRecorder.Timeout => "timeout",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Everything so far; the latency histograms are copies, the caller's to keep.</summary>
    public LoadSnapshot Snapshot()
    {
        lock (_lock)
        {
            LoadRecorder[] recorders = [.. _recorders];
            return new LoadSnapshot(
                Sum(recorders, r => r.All, _allLatency.SoFar(), _allService.SoFar()),
                Sum(recorders, r => r.Measured, _measuredLatency.SoFar(), _measuredService.SoFar()));
        }
    }

    private static Tally Sum(LoadRecorder[] recorders, Func<LoadRecorder, LoadRecorder.Counters> part, HistogramBase latency, HistogramBase service)
    {
        var byStatus = new long[600];
        long transportErrors = 0, timeouts = 0, heartbeats = 0, accepted = 0;
        foreach (var recorder in recorders)
        {
            part(recorder).AddTo(byStatus, ref transportErrors, ref timeouts, ref heartbeats, ref accepted);
        }

        var statuses = new SortedDictionary<int, long>();
        for (var i = 0; i < byStatus.Length; i++)
        {
            if (byStatus[i] > 0)
            {
                statuses[i] = byStatus[i];
            }
        }

        return new Tally(statuses, transportErrors, timeouts, heartbeats, accepted, latency, service);
    }

    /// <summary>A shared recorder the senders write to, and what the reader has taken from it so far.</summary>
    private sealed class LatencyParts
    {
        private readonly LongHistogram _soFar = Latency.NewHistogram();
        private readonly LongHistogram _interval = Latency.NewHistogram();

        public Recorder Recorder { get; } = Latency.NewRecorder();

        /// <summary>Adds what was recorded since the previous call, and copies the total. Callers hold the stats' lock.</summary>
        public HistogramBase SoFar()
        {
            Recorder.GetIntervalHistogramInto(_interval);
            _soFar.Add(_interval);
            return _soFar.Copy();
        }
    }
}
