using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Sensors360.IntegrationTests;

/// <summary>
/// A running service's metrics read from outside, as <c>dotnet-counters</c> reads them: an EventPipe session on the
/// process's diagnostics port asking the runtime's "System.Diagnostics.Metrics" event source for one meter.
/// </summary>
public sealed class ProcessMetrics : IDisposable
{
    /// <summary>One series (an instrument and its tags) as seen so far.</summary>
    /// <param name="Total">Counters: the sum of increments since listening began; histograms: the measurements since then.</param>
    /// <param name="Last">Gauges and up-down counters: the last value reported.</param>
    public sealed record Series(string Instrument, string Tags, double Total, double? Last);

    const string MetricsSource = "System.Diagnostics.Metrics";
    const long TimeSeriesValues = 0x2; // the event source's keyword for the periodic values

    readonly EventPipeSession _session;
    readonly EventPipeEventSource _events;
    readonly Task _reading;
    readonly ConcurrentDictionary<(string Instrument, string Tags), Series> _series = new();

    ProcessMetrics(int processId, string meter)
    {
        var arguments = new Dictionary<string, string>
        {
            ["SessionId"] = Guid.NewGuid().ToString("N"),
            ["Metrics"] = meter,
            ["RefreshInterval"] = "1",
            ["MaxTimeSeries"] = "1000",
            ["MaxHistograms"] = "100",
        };
        _session = new DiagnosticsClient(processId).StartEventPipeSession(
            [new EventPipeProvider(MetricsSource, EventLevel.Informational, TimeSeriesValues, arguments)], requestRundown: false);
        _events = new EventPipeEventSource(_session.EventStream);
        _events.Dynamic.All += Read;
        _reading = Task.Run(() => _events.Process());
    }

    public static ProcessMetrics Listen(int processId, string meter) => new(processId, meter);

    public IReadOnlyList<Series> Of(string instrument) => [.. _series.Values.Where(s => s.Instrument == instrument)];

    /// <summary>Polls until one series of <paramref name="instrument"/> satisfies <paramref name="condition"/>.</summary>
    public async Task<Series> UntilAsync(string instrument, Func<Series, bool> condition, TimeSpan deadline)
    {
        Series? found = null;
        var met = await Poll.UntilAsync(() => Task.FromResult((found = Of(instrument).FirstOrDefault(condition)) is not null), deadline);
        Assert.True(met, $"{instrument}: no series met the condition within {deadline}; seen: {string.Join("; ", Of(instrument))}; all: {string.Join("; ", _series.Values)}");
        return found!;
    }

    void Read(TraceEvent e)
    {
        if (e.ProviderName != MetricsSource || e.PayloadByName("instrumentName") is not string instrument)
        {
            return;
        }
        var tags = e.PayloadByName("tags") as string ?? "";
        double? increment = e.EventName switch
        {
            "CounterRateValuePublished" => Number(e.PayloadByName("rate")),
            "HistogramValuePublished" => Convert.ToDouble(e.PayloadByName("count"), CultureInfo.InvariantCulture),
            _ => null,
        };
        double? last = e.EventName switch
        {
            "GaugeValuePublished" => Number(e.PayloadByName("lastValue")),
            "UpDownCounterRateValuePublished" => Number(e.PayloadByName("value")),
            _ => null,
        };
        if (increment is null && last is null)
        {
            return;
        }
        _series.AddOrUpdate((instrument, tags),
            _ => new Series(instrument, tags, increment ?? 0, last),
            (_, seen) => seen with { Total = seen.Total + (increment ?? 0), Last = last ?? seen.Last });
    }

    static double? Number(object? payload) =>
        payload is string { Length: > 0 } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    public void Dispose()
    {
        try
        {
            _session.Stop();
        }
        catch (ServerNotAvailableException)
        {
            // the process has already ended: so has the session
        }
        _reading.Wait(TimeSpan.FromSeconds(10));
        _events.Dispose();
        _session.Dispose();
    }
}
