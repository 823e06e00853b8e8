using System.Globalization;
using System.Net;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;
using Sensors360.Simulator.Api;
using Sensors360.Simulator.Demo;

namespace Sensors360.Simulator.Load;

/// <summary>The sensors a provision file keeps, with the collector key that covers them.</summary>
public sealed record ProvisionedSensors(string CollectorKey, IReadOnlyList<long> SensorIds);

/// <summary>
/// Works out where the load goes and as whom: an arbitrary URL; sensors registered before, with their collector key;
/// those of a provision file; or new sensors, imported into the registry in a few requests, with a new collector key
/// for exactly them (the per-sensor key's 10 requests/s would cap the load).
/// </summary>
public sealed class LoadProvisioner(
    IHttpClientFactory httpClientFactory, IOptions<LoadOptions> options, ILogger<LoadProvisioner> logger, ServiceEndpointResolver? resolver = null)
{
    /// <summary>The registry takes at most 10,000 rows per import; smaller requests keep each one short.</summary>
    public const int ImportChunk = 2_000;

    /// <summary>What is sent as the key to a URL of the caller's when no key is given: as long as a real collector key.</summary>
    public const string PlaceholderKey = "s360c_0000000000000000000000000000000000000000000";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly LoadOptions _options = options.Value;

    public async Task<LoadTarget> ProvisionAsync(CancellationToken cancellationToken)
    {
        if (!_options.TargetsIngestion)
        {
            var url = await ResolveAsync(_options.Url!, cancellationToken);
            return new LoadTarget(url, _options.CollectorKey ?? PlaceholderKey, Range(_options.FirstSensorId ?? 1, _options.Sensors), _options.Legacy);
        }

        var ingestion = HeartbeatRequests.WithTrailingSlash(await ResolveAsync(_options.IngestionUrl, cancellationToken));
        var endpoint = new Uri(ingestion, _options.Legacy ? "api/v0/heartbeat" : "api/heartbeats");
        if (!string.IsNullOrWhiteSpace(_options.CollectorKey))
        {
            return new LoadTarget(endpoint, _options.CollectorKey, Range(_options.FirstSensorId!.Value, _options.Sensors), _options.Legacy);
        }

        var provisioned = Load(_options.ProvisionFile);
        if (provisioned is not null)
        {
            logger.LogInformation("Reusing {Count} sensors and their collector key from {Path}.", provisioned.SensorIds.Count, _options.ProvisionFile);
            if (provisioned.SensorIds.Count != _options.Sensors)
            {
                logger.LogWarning("{Path} has {Count} sensors, not Load:Sensors={Configured}; delete it to register that many.",
                    _options.ProvisionFile, provisioned.SensorIds.Count, _options.Sensors);
            }
        }
        else
        {
            provisioned = await RegisterAsync(cancellationToken);
            if (!string.IsNullOrWhiteSpace(_options.ProvisionFile))
            {
                Save(_options.ProvisionFile, provisioned);
            }
        }

        return new LoadTarget(endpoint, provisioned.CollectorKey, provisioned.SensorIds, _options.Legacy);
    }

    /// <summary>The import file for the sensors numbered <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive) of run <paramref name="runId"/>.</summary>
    /// <remarks>
    /// Ordinary load sensors get <see cref="SensorTimings.Load"/>: a long expected interval and stale threshold keep
    /// them from all turning late, then down (thousands of state changes for the monitor to process and publish) right
    /// after the load. A fleet's get its interval and a small grace (<see cref="FleetSchedule.TimingsFor"/>). The label
    /// is the collector key's selector.
    /// </remarks>
    public static string ImportCsv(string runId, int from, int to, SensorTimings timings)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(text, new CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = "\n" }))
        {
            csv.Context.RegisterClassMap<ImportRowMap>();
            csv.WriteRecords(Enumerable.Range(from, to - from).Select(n => new ImportRow(
                $"load-{runId}-{n:D7}", runId, timings.ExpectedIntervalSeconds, timings.GraceSeconds, timings.StaleAfterSeconds)));
        }

        return text.ToString();
    }

    /// <summary>The timings the load's new sensors are registered with.</summary>
    public static SensorTimings TimingsFor(LoadOptions options) =>
        options.Fleet ? FleetSchedule.TimingsFor(options.FleetInterval, options.FleetGrace) : SensorTimings.Load;

    public static ProvisionedSensors? Load(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
        {
            return null;
        }

        return JsonSerializer.Deserialize<ProvisionedSensors>(File.ReadAllText(path), Json) is { CollectorKey.Length: > 0, SensorIds.Count: > 0 } sensors
            ? sensors
            : throw new SimulatorException($"{path} does not hold a collector key and sensor ids; delete it to register new sensors.");
    }

    /// <summary>
    /// Writes the file readable by its owner only: it holds a key. A new file is created so (0600); an existing one is
    /// deleted first, since overwriting it would keep whatever mode it had.
    /// </summary>
    public static void Save(string path, ProvisionedSensors sensors)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new FileStream(path, options);
        JsonSerializer.Serialize(file, sensors, Json);
    }

    private async Task<ProvisionedSensors> RegisterAsync(CancellationToken cancellationToken)
    {
        var registry = new RegistryClient(httpClientFactory, new Uri(_options.RegistryUrl!), _options.RegistryToken);
        var runId = Random.Shared.Next(0x1000000).ToString("x6", CultureInfo.InvariantCulture);
        var ids = new List<long>(_options.Sensors);
        for (var from = 0; from < _options.Sensors; from += ImportChunk)
        {
            var to = Math.Min(_options.Sensors, from + ImportChunk);
            var result = await registry.ImportAsync(ImportCsv(runId, from, to, TimingsFor(_options)), cancellationToken);
            if (result.Status != RegistrationStatus.Registered)
            {
                throw new SimulatorException($"The registry at {_options.RegistryUrl} did not register the load's sensors: {result.Detail}");
            }

            ids.AddRange(result.Sensors.Select(s => s.Id));
            logger.LogInformation("Registered {Count} of {Total} load sensors (tags load-{RunId}-…).", ids.Count, _options.Sensors, runId);
        }

        var key = await registry.CreateCollectorKeyAsync($"load {runId}", new Dictionary<string, string> { ["load"] = runId }, cancellationToken);
        if (key.Status != RegistrationStatus.Registered)
        {
            throw new SimulatorException($"The registry at {_options.RegistryUrl} did not create a collector key: {key.Detail}");
        }

        logger.LogInformation("Collector key {Id} covers the load's sensors (label load={RunId}).", key.CollectorKey!.Id, runId);
        return new ProvisionedSensors(key.CollectorKey.Key, ids);
    }

    /// <summary>
    /// A service discovery name (e.g. <c>http://ingestion-api</c> under the AppHost) becomes the address it stands
    /// for, once: the load's HttpClient is a bare handler, without the per-request discovery of the factory's clients.
    /// </summary>
    private async Task<Uri> ResolveAsync(string url, CancellationToken cancellationToken)
    {
        var uri = new Uri(url);
        if (resolver is null)
        {
            return uri;
        }

        try
        {
            var source = await resolver.GetEndpointsAsync(uri.GetLeftPart(UriPartial.Authority), cancellationToken);
            var resolved = source.Endpoints.Count == 0 ? null : source.Endpoints[0].EndPoint switch
            {
                UriEndPoint endpoint => new UriBuilder(uri) { Scheme = endpoint.Uri.Scheme, Host = endpoint.Uri.Host, Port = endpoint.Uri.Port }.Uri,
                DnsEndPoint endpoint => new UriBuilder(uri) { Host = endpoint.Host, Port = endpoint.Port > 0 ? endpoint.Port : uri.Port }.Uri,
                IPEndPoint endpoint => new UriBuilder(uri) { Host = endpoint.Address.ToString(), Port = endpoint.Port }.Uri,
                _ => null,
            };
            if (resolved is not null && resolved != uri)
            {
                logger.LogInformation("{Url} is {Resolved}.", url, resolved);
            }

            return resolved ?? uri;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("Could not resolve {Url} through service discovery ({Message}); using it as it is.", url, ex.Message);
            return uri;
        }
    }

    private static long[] Range(long first, int count)
    {
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = first + i;
        }

        return ids;
    }

    private sealed record ImportRow(string Tag, string Run, int ExpectedIntervalSeconds, int GraceSeconds, int StaleAfterSeconds);

    private sealed class ImportRowMap : ClassMap<ImportRow>
    {
        public ImportRowMap()
        {
            Map(r => r.Tag).Name("tag");
            Map(r => r.Run).Name("load");
            Map(r => r.ExpectedIntervalSeconds).Name("expected_interval_seconds");
            Map(r => r.GraceSeconds).Name("grace_seconds");
            Map(r => r.StaleAfterSeconds).Name("stale_after_seconds");
        }
    }
}
