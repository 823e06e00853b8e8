using System.ComponentModel.DataAnnotations;

namespace Sensors360.Simulator.Load;

/// <summary>The <c>Load</c> configuration section: what <c>Sensors360.Simulator load</c> sends, how fast, for how long.</summary>
public sealed class LoadOptions : IValidatableObject
{
    public const string Section = "Load";

    /// <summary>Where heartbeats go (Ingestion.Api); the paths <c>api/heartbeats</c> and <c>api/v0/heartbeat</c> are appended.</summary>
    [Required]
    public string IngestionUrl { get; set; } = "http://ingestion-api";

    /// <summary>
    /// Any endpoint to send the very same requests to instead (e.g. a Kestrel hello-world as a baseline); every 2xx
    /// counts as accepted. Nothing is registered: the sensor ids start at <see cref="FirstSensorId"/> (1 by default).
    /// </summary>
    public string? Url { get; set; }

    /// <summary>The sensor registry (Monitor.Worker), used to register the load's sensors and a collector key for them.</summary>
    public string? RegistryUrl { get; set; } = "http://monitor-worker";

    /// <summary>
    /// A bearer token for the registry, to register through the gateway (<c>http://localhost:8080</c> under
    /// <c>eng/run.sh</c>), where importing sensors takes an Operator and creating a collector key an Admin.
    /// </summary>
    public string? RegistryToken { get; set; }

    /// <summary>A collector key (<c>s360c_…</c>) that authorises sensors <see cref="FirstSensorId"/>.. already registered; nothing is registered then.</summary>
    public string? CollectorKey { get; set; }

    /// <summary>The first of <see cref="Sensors"/> consecutive sensor ids, with <see cref="CollectorKey"/> or <see cref="Url"/>.</summary>
    public long? FirstSensorId { get; set; }

    /// <summary>
    /// Keeps the registered sensors' ids and their collector key (mode 0600): a later run with the same file reuses
    /// them instead of registering new sensors.
    /// </summary>
    public string? ProvisionFile { get; set; }

    /// <summary>How many sensors the heartbeats go round.</summary>
    [Range(1, 1_000_000)]
    public int Sensors { get; set; } = 10_000;

    /// <summary>Target heartbeats per second over all requests; 0 sends as fast as the answers come back.</summary>
    [Range(0.0, 100_000_000.0)]
    public double Rate { get; set; }

    /// <summary>Heartbeats per request: 1 sends one JSON object, more a JSON array (the API takes up to 10,000).</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 1;

    /// <summary>Requests in flight at once (and HTTP connections).</summary>
    [Range(1, 4096)]
    public int Concurrency { get; set; } = 64;

    /// <summary>How long the measured part lasts, after <see cref="Warmup"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Load sent before the measured part and left out of its figures (connections, JIT, caches).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan Warmup { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Fleet mode: each of the <see cref="Sensors"/> sends one heartbeat every <c>Sensors ÷ Rate</c> seconds with its
    /// own phase, forwarded in requests of up to <see cref="BatchSize"/> heartbeats (at most 100 ms' worth), and every
    /// heartbeat is sent however late (see <see cref="FleetSchedule"/>). Needs a <see cref="Rate"/>; sensors the tool
    /// registers get that interval as their expected interval and <see cref="FleetGrace"/> as their grace.
    /// </summary>
    public bool Fleet { get; set; }

    /// <summary>In fleet mode, the grace the sensors the tool registers get: small, so that a false "late" shows.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan FleetGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>In fleet mode, how often each sensor sends (<see cref="Sensors"/> ÷ <see cref="Rate"/>).</summary>
    public TimeSpan FleetInterval => Rate > 0 ? TimeSpan.FromSeconds(Sensors / Rate) : TimeSpan.Zero;

    /// <summary>Send <c>POST /api/v0/heartbeat?sensor_id=&amp;timestamp=</c> (epoch milliseconds, no body); needs <see cref="BatchSize"/> 1.</summary>
    public bool Legacy { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the first request may keep failing (e.g. while the ingestion API learns new sensors) before the run gives up.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// PostgreSQL (the <c>sensorsdb</c> database): when set, the heartbeats persisted per second are measured there,
    /// and after the load the run waits (up to <see cref="DrainTimeout"/>) until every accepted heartbeat is stored.
    /// </summary>
    public string? DatabaseConnectionString { get; set; }

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>The report as JSON, written to this file too (optional).</summary>
    public string? JsonOutput { get; set; }

    /// <summary>The report as Markdown, written to this file too (it always goes to stdout).</summary>
    public string? MarkdownOutput { get; set; }

    /// <summary>How often the progress line (on stderr) is updated.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>True when the requests go to the ingestion API through registered sensors (not to <see cref="Url"/>).</summary>
    public bool TargetsIngestion => string.IsNullOrWhiteSpace(Url);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsHttpUrl(IngestionUrl))
        {
            yield return new ValidationResult($"{nameof(IngestionUrl)} must be an absolute http(s) URL, not '{IngestionUrl}'.", [nameof(IngestionUrl)]);
        }

        if (!string.IsNullOrWhiteSpace(Url) && !IsHttpUrl(Url))
        {
            yield return new ValidationResult($"{nameof(Url)} must be an absolute http(s) URL, not '{Url}'.", [nameof(Url)]);
        }

        if (Legacy && BatchSize != 1)
        {
            yield return new ValidationResult($"{nameof(Legacy)} sends one heartbeat per request: {nameof(BatchSize)} must be 1.", [nameof(Legacy), nameof(BatchSize)]);
        }

        if (Fleet && Rate <= 0)
        {
            yield return new ValidationResult($"{nameof(Fleet)} sends at a fixed interval: give a {nameof(Rate)} (the interval is {nameof(Sensors)} ÷ {nameof(Rate)}).", [nameof(Fleet), nameof(Rate)]);
        }
        else if (Fleet && (FleetInterval < TimeSpan.FromSeconds(1) || FleetInterval > TimeSpan.FromDays(1)))
        {
            yield return new ValidationResult(
                $"In {nameof(Fleet)} mode each sensor sends every {nameof(Sensors)} ÷ {nameof(Rate)} seconds, which must be from 1 s to a day (the registry's expected interval), not {FleetInterval.TotalSeconds:0.###} s.",
                [nameof(Fleet), nameof(Sensors), nameof(Rate)]);
        }

        if (Fleet && Legacy)
        {
            yield return new ValidationResult($"{nameof(Fleet)} sends JSON bodies: it cannot be combined with {nameof(Legacy)}.", [nameof(Fleet), nameof(Legacy)]);
        }

        var hasKey = !string.IsNullOrWhiteSpace(CollectorKey);
        if (hasKey && FirstSensorId is null)
        {
            yield return new ValidationResult(
                $"With a {nameof(CollectorKey)}, give the sensors it covers: {nameof(FirstSensorId)} (and {nameof(Sensors)}).", [nameof(FirstSensorId)]);
        }

        if (hasKey && !string.IsNullOrWhiteSpace(ProvisionFile))
        {
            yield return new ValidationResult($"Give either {nameof(CollectorKey)} or {nameof(ProvisionFile)}, not both.", [nameof(CollectorKey), nameof(ProvisionFile)]);
        }

        if (TargetsIngestion && !hasKey && FirstSensorId is not null)
        {
            yield return new ValidationResult(
                $"{nameof(FirstSensorId)} names sensors registered before; give their {nameof(CollectorKey)} too.", [nameof(FirstSensorId), nameof(CollectorKey)]);
        }

        if (TargetsIngestion && !hasKey && !IsHttpUrl(RegistryUrl))
        {
            yield return new ValidationResult(
                $"To register the load's sensors, {nameof(RegistryUrl)} must be an absolute http(s) URL (not '{RegistryUrl}'); "
                + $"or give {nameof(CollectorKey)} and {nameof(FirstSensorId)} of sensors registered before.", [nameof(RegistryUrl)]);
        }

        if (FirstSensorId is < 1)
        {
            yield return new ValidationResult($"{nameof(FirstSensorId)} must be at least 1.", [nameof(FirstSensorId)]);
        }
        else if (FirstSensorId is { } first && first > long.MaxValue - Sensors)
        {
            yield return new ValidationResult($"{nameof(FirstSensorId)} + {nameof(Sensors)} is out of range.", [nameof(FirstSensorId)]);
        }
    }

    private static bool IsHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
