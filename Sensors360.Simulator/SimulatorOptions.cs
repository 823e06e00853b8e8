using System.ComponentModel.DataAnnotations;
using Sensors360.Simulator.Api;

namespace Sensors360.Simulator;

/// <summary>The <c>Simulator</c> configuration section.</summary>
public sealed class SimulatorOptions : IValidatableObject
{
    public const string Section = "Simulator";

    /// <summary>The sensor registry (Monitor.Worker); a service discovery name under Aspire.</summary>
    [Required]
    public string RegistryUrl { get; set; } = "http://monitor-worker";

    /// <summary>Where heartbeats go (Ingestion.Api).</summary>
    [Required]
    public string IngestionUrl { get; set; } = "http://ingestion-api";

    /// <summary>Holds the fleet file (with the sensors' keys) and the ground truth; relative to the current directory.</summary>
    [Required]
    public string DataDirectory { get; set; } = ".data/simulator";

    /// <summary>Sensors in a new fleet. An existing fleet keeps its size.</summary>
    [Range(1, 100_000)]
    public int SensorCount { get; set; } = 200;

    /// <summary>Seed of a new fleet's fates, intervals and labels; random when unset. Stored with the fleet.</summary>
    public int? Seed { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Each gap between beats is the interval ± this fraction of it.</summary>
    [Range(0.0, 0.9)]
    public double Jitter { get; set; } = 0.2;

    [Range(0.0, 1.0)]
    public double DieShare { get; set; } = 0.10;

    [Range(0.0, 1.0)]
    public double DegradeShare { get; set; } = 0.10;

    [Range(0.0, 1.0)]
    public double FlapShare { get; set; } = 0.05;

    /// <summary>A dying sensor stops at a random time within this long after the fleet was created.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan DeathWindow { get; set; } = TimeSpan.FromHours(2);

    /// <summary>A degrading sensor starts to degrade at a random time within this long after the fleet was created.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan DegradeOnsetWindow { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How long a degrading sensor's interval keeps growing before it dies.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan DegradeDuration { get; set; } = TimeSpan.FromHours(3);

    /// <summary>A degrading sensor's interval at the end of <see cref="DegradeDuration"/>, as a multiple of its normal one.</summary>
    [Range(1.0, 1000.0)]
    public double DegradeFactor { get; set; } = 6;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FlapHealthyMin { get; set; } = TimeSpan.FromMinutes(5);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FlapHealthyMax { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Shortest silence of a flapping sensor; above the monitor's 10-minute "quiet" threshold by default.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FlapSilenceMin { get; set; } = TimeSpan.FromMinutes(12);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FlapSilenceMax { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Requests in flight at once, registrations and heartbeats alike.</summary>
    [Range(1, 1024)]
    public int MaxConcurrency { get; set; } = 16;

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the one-line status is printed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A 401 this soon after registration is the ingestion API's credential cache catching up with the registry;
    /// later, it means the registry no longer knows the key (database reset) and a new fleet is registered.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan UnknownKeyGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Send the prototype's form: <c>POST /api/v0/heartbeat?sensor_id=&amp;timestamp=</c> (epoch seconds).</summary>
    public bool Legacy { get; set; }

    /// <summary>How heartbeats travel: <c>http</c> (Ingestion.Api) or <c>mqtt</c> (the broker's MQTT listener, <see cref="MqttAddress"/>).</summary>
    public string Protocol { get; set; } = HeartbeatProtocols.Http;

    /// <summary>The broker's MQTT listener, <c>tcp://host:port</c> (or <c>mqtt://</c>); needed when <see cref="Protocol"/> is <c>mqtt</c>.</summary>
    public string? MqttAddress { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, url) in new[] { (nameof(RegistryUrl), RegistryUrl), (nameof(IngestionUrl), IngestionUrl) })
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                yield return new ValidationResult($"{name} must be an absolute http(s) URL, not '{url}'.", [name]);
            }
        }

        foreach (var result in HeartbeatProtocols.Validate(this))
        {
            yield return result;
        }

        // A tolerance, because 0.1 + 0.2 + 0.7 is not exactly 1 in binary floating point.
        if (DieShare + DegradeShare + FlapShare > 1 + 1e-9)
        {
            yield return new ValidationResult(
                $"{nameof(DieShare)} + {nameof(DegradeShare)} + {nameof(FlapShare)} must be at most 1.",
                [nameof(DieShare), nameof(DegradeShare), nameof(FlapShare)]);
        }

        if (MinInterval > MaxInterval)
        {
            yield return new ValidationResult($"{nameof(MinInterval)} must not exceed {nameof(MaxInterval)}.", [nameof(MinInterval), nameof(MaxInterval)]);
        }
        else if (Math.Floor(MaxInterval.TotalSeconds) < Math.Ceiling(MinInterval.TotalSeconds))
        {
            // Intervals are whole seconds, as the registry expects them.
            yield return new ValidationResult(
                $"{nameof(MinInterval)}..{nameof(MaxInterval)} must contain a whole number of seconds.", [nameof(MinInterval), nameof(MaxInterval)]);
        }

        if (FlapHealthyMin > FlapHealthyMax)
        {
            yield return new ValidationResult($"{nameof(FlapHealthyMin)} must not exceed {nameof(FlapHealthyMax)}.", [nameof(FlapHealthyMin)]);
        }

        if (FlapSilenceMin > FlapSilenceMax)
        {
            yield return new ValidationResult($"{nameof(FlapSilenceMin)} must not exceed {nameof(FlapSilenceMax)}.", [nameof(FlapSilenceMin)]);
        }
    }
}
