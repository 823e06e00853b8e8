using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sensors360.Measurement;

namespace Sensors360.Simulator.Load;

/// <summary>The settings a report was made with; never the key or the connection string.</summary>
public sealed record ReportSettings(
    int Sensors, long? FirstSensorId, double Rate, int BatchSize, int Concurrency, double DurationSeconds, double WarmupSeconds, bool Legacy,
    double RequestTimeoutSeconds, bool Database);

/// <param name="ByStatus">Responses per HTTP status code.</param>
public sealed record ReportCounts(
    long Requests, long Succeeded, long Heartbeats, long AcceptedHeartbeats, IReadOnlyDictionary<string, long> ByStatus, long TransportErrors,
    long Timeouts)
{
    public static ReportCounts From(Tally tally) => new(
        tally.Requests, tally.Succeeded, tally.Heartbeats, tally.AcceptedHeartbeats,
        tally.ByStatus.ToDictionary(s => s.Key.ToString(CultureInfo.InvariantCulture), s => s.Value), tally.TransportErrors, tally.Timeouts);
}

/// <summary>Fleet mode's schedule.</summary>
/// <param name="IntervalSeconds">How often each sensor sent.</param>
/// <param name="BeatsPerRequest">Heartbeats per request (up to the batch size, at most 100 ms' worth).</param>
public sealed record ReportFleet(double IntervalSeconds, int BeatsPerRequest, double RequestsPerSecond);

/// <param name="PerSecond">Heartbeats stored per second during the measured part.</param>
/// <param name="Total">Stored since the load began, when the report was made.</param>
/// <param name="Expected">Accepted over the whole load (warm-up included).</param>
/// <param name="DrainSeconds">From the end of the load until all of them were stored; null when they were not within the drain timeout.</param>
public sealed record ReportPersisted(string Source, double? PerSecond, long DuringMeasurement, long Total, long Expected, double? DrainSeconds, bool Complete);

/// <summary>A load run's results: what <c>load</c> writes as JSON (camelCase) and Markdown.</summary>
/// <param name="Outcome"><c>completed</c>, <c>stopped</c> (interrupted; the figures cover what ran) or <c>not-ready</c> (the first request never succeeded).</param>
/// <param name="Form"><c>json-object</c>, <c>json-array</c> or <c>legacy-query</c>.</param>
/// <param name="Fleet">Fleet mode's schedule; null otherwise.</param>
/// <param name="LoadStartedAt">When the load began (after the ready check); null when it never did.</param>
/// <param name="MeasuredFrom">When the measured part began (the end of the warm-up).</param>
/// <param name="MeasuredTo">When it ended.</param>
/// <param name="AcceptedPerSecond">Heartbeats answered 2xx per second over the measured part.</param>
/// <param name="LatencyMs">
/// Client latency of the measured part's answered requests (HdrHistogram), from each request's slot in the schedule
/// when there is a rate (corrected for coordinated omission), else from its send.
/// </param>
/// <param name="ServiceTimeMs">The same requests from their actual send: what the latency would say without the correction.</param>
/// <param name="MaxSendDelayMs">With a rate: the latest a request went out after its slot; null without one.</param>
/// <param name="Measured">The measured part (responses that arrived during it).</param>
/// <param name="Total">The whole load, warm-up and answers after the end included.</param>
/// <param name="SkippedHeartbeats">Not sent because the senders were more than a second behind the target rate.</param>
/// <param name="TimestampLeadMs">How far the latest timestamps ran ahead of the clock (over 300,000 the API answers 422).</param>
/// <param name="ErrorSamples">What the first error of each kind said, by status code, "transport" or "timeout".</param>
public sealed record LoadReport(
    string Tool, DateTimeOffset StartedAt, string Outcome, string? NotReady, string Endpoint, string Form, ReportSettings Settings,
    ReportFleet? Fleet, DateTimeOffset? LoadStartedAt, DateTimeOffset? MeasuredFrom, DateTimeOffset? MeasuredTo, double MeasuredSeconds, double? TargetPerSecond, double? AcceptedPerSecond, double? RequestsPerSecond, LatencySummary LatencyMs,
    LatencySummary ServiceTimeMs, ReportCounts Measured, ReportCounts Total, ReportPersisted? Persisted, long SkippedHeartbeats,
    double? MaxSendDelayMs, long TimestampLeadMs, IReadOnlyDictionary<string, string> ErrorSamples)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Whether anything succeeded: the exit code is 0 then, whatever was refused.</summary>
    [JsonIgnore]
    public bool AnySucceeded => NotReady is null && Total.Succeeded > 0;

    public static LoadReport Create(LoadOptions options, LoadTarget target, LoadRun run)
    {
        var seconds = run.MeasuredSeconds;
        var measured = run.Stats.Measured;
        var settings = new ReportSettings(
            target.SensorIds.Count, options.TargetsIngestion ? options.FirstSensorId : options.FirstSensorId ?? 1, options.Rate,
            target.Legacy ? 1 : options.BatchSize, options.Concurrency, options.Duration.TotalSeconds, options.Warmup.TotalSeconds, target.Legacy,
            options.RequestTimeout.TotalSeconds, run.Persisted is not null);
        var persisted = run.Persisted is { } p
            ? new ReportPersisted("database", Round(p.PerSecond), p.DuringMeasurement, p.Total, p.Expected, Round(p.Drain?.TotalSeconds), p.Complete)
            : null;
        return new LoadReport(
            "Sensors360.Simulator load",
            run.StartedAt,
            run.NotReady is not null ? "not-ready" : run.Stopped ? "stopped" : "completed",
            run.NotReady,
            WithoutUserInfo(target.Endpoint),
            target.Legacy ? "legacy-query" : (run.Fleet?.BeatsPerRequest ?? settings.BatchSize) == 1 ? "json-object" : "json-array",
            settings,
            run.Fleet is { } fleet ? new ReportFleet(Math.Round(fleet.Interval.TotalSeconds, 3), fleet.BeatsPerRequest, Math.Round(fleet.RequestsPerSecond, 3)) : null,
            run.Window?.LoadStartedAt,
            run.Window?.MeasuredFrom,
            run.Window?.MeasuredTo,
            Math.Round(seconds, 3),
            options.Rate > 0 ? options.Rate : null,
            seconds > 0 ? Round(measured.AcceptedHeartbeats / seconds) : null,
            seconds > 0 ? Round(measured.Requests / seconds) : null,
            measured.Latency.Summarize(),
            measured.ServiceTime.Summarize(),
            ReportCounts.From(measured),
            ReportCounts.From(run.Stats.All),
            persisted,
            run.SkippedHeartbeats,
            run.MaxSendDelayMilliseconds,
            run.TimestampLeadMilliseconds,
            new SortedDictionary<string, string>(run.ErrorSamples.ToDictionary(), StringComparer.Ordinal));
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        var form = Form switch
        {
            "json-array" when Fleet is { } f => $"JSON arrays of {N(f.BeatsPerRequest)}",
            "json-array" => $"JSON arrays of {N(Settings.BatchSize)}",
            "json-object" => "one JSON object per request",
            _ => "legacy query string, one heartbeat per request",
        };
        md.AppendLine(Invariant($"## Load: {(AcceptedPerSecond is { } rate ? $"{N(rate)} heartbeats/s accepted" : Outcome)}"))
            .AppendLine()
            .Append(Invariant($"`POST {Endpoint}` · {form} · {N(Settings.Sensors)} sensors · "))
            .Append(Fleet is { } fleet ? Invariant($"fleet: each sensor every {fleet.IntervalSeconds:0.###} s · ") : "")
            .Append(TargetPerSecond is { } target ? Invariant($"target {N(target)} hb/s") : "as fast as answered")
            .Append(Invariant($" · concurrency {N(Settings.Concurrency)}"))
            .Append(NotReady is null ? Invariant($" · {Seconds(MeasuredSeconds)} measured after {Seconds(Settings.WarmupSeconds)} warm-up") : "")
            .Append(Invariant($" · started {StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z"))
            .AppendLine(Outcome == "stopped" ? " · **stopped early**" : "")
            .AppendLine();

        if (NotReady is not null)
        {
            md.AppendLine(Invariant($"**Not ready**: the first request never succeeded within the ready timeout: {NotReady}"));
            return md.ToString();
        }

        md.AppendLine("| Measure | Value |")
            .AppendLine("|---|---|")
            .AppendLine(Invariant($"| Accepted heartbeats/s | {N(AcceptedPerSecond)} |"))
            .AppendLine(Invariant($"| Requests/s | {N(RequestsPerSecond)} |"))
            .AppendLine(TargetPerSecond is null
                ? Invariant($"| Latency p50 / p90 / p99 / p99.9 / max | {LatencyMs.Percentiles()} ms |")
                : Invariant($"| Latency p50 / p90 / p99 / p99.9 / max, from the schedule | {LatencyMs.Percentiles()} ms |"));
        if (TargetPerSecond is not null)
        {
            md.AppendLine(Invariant($"| Service time (from the actual send) | {ServiceTimeMs.Percentiles()} ms |"))
                .AppendLine(Invariant($"| Latest send behind the schedule | {MaxSendDelayMs ?? 0:F1} ms |"));
        }

        md.AppendLine(Invariant($"| Responses | {Statuses(Measured)} |"))
            .AppendLine(Invariant($"| Transport errors / timeouts | {N(Measured.TransportErrors)} / {N(Measured.Timeouts)} |"));
        if (Persisted is { } persisted)
        {
            md.AppendLine(Invariant($"| Persisted heartbeats/s (database) | {N(persisted.PerSecond)} |"))
                .Append("| Drain after the load | ")
                .Append(persisted.DrainSeconds is { } drain ? Invariant($"{drain:F1} s") : "not finished")
                .AppendLine(Invariant($" ({N(persisted.Total)} of {N(persisted.Expected)} accepted heartbeats stored) |"));
        }

        if (TargetPerSecond is not null)
        {
            md.AppendLine(Invariant($"| Skipped (behind the target by over 1 s) | {N(SkippedHeartbeats)} heartbeats |"));
        }

        md.AppendLine(Invariant($"| Whole run (with warm-up) | {N(Total.Requests)} requests, {N(Total.AcceptedHeartbeats)} of {N(Total.Heartbeats)} heartbeats accepted |"));
        if (TimestampLeadMs > 0)
        {
            md.AppendLine(Invariant($"| Timestamps ahead of the clock | {N(TimestampLeadMs)} ms (more heartbeats per sensor than one a millisecond) |"));
        }

        if (ErrorSamples.Count > 0)
        {
            md.AppendLine().AppendLine("First error of each kind:").AppendLine();
            foreach (var (kind, detail) in ErrorSamples)
            {
                md.AppendLine(Invariant($"- {kind}: {detail.ReplaceLineEndings(" ")}"));
            }
        }

        return md.ToString();
    }

    private static string Statuses(ReportCounts counts) =>
        counts.ByStatus.Count == 0 ? "none" : string.Join(" · ", counts.ByStatus.Select(s => $"{s.Key}: {N(s.Value)}"));

    private static string Seconds(double seconds) => Invariant($"{seconds:0.#} s");

    private static string N(double? value) => value switch
    {
        null => "–",
        >= 100 or 0 => Invariant($"{value:N0}"),
        _ => Invariant($"{value:N1}"),
    };

    private static string N(long value) => Invariant($"{value:N0}");

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string WithoutUserInfo(Uri uri) =>
        uri.UserInfo.Length == 0 ? uri.AbsoluteUri : new UriBuilder(uri) { UserName = "", Password = "" }.Uri.AbsoluteUri;
}
