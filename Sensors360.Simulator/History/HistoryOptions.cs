using System.ComponentModel.DataAnnotations;

namespace Sensors360.Simulator.History;

/// <summary>The <c>History</c> configuration section: the fleet history <c>Sensors360.Simulator history</c> writes.</summary>
public sealed class HistoryOptions : IValidatableObject
{
    public const string Section = "History";

    /// <summary>The monitor's database (already migrated); <c>ConnectionStrings:sensorsdb</c> when unset.</summary>
    [Required(ErrorMessage = "ConnectionString is required (or ConnectionStrings:sensorsdb).")]
    public string? ConnectionString { get; set; }

    /// <summary>Where <c>history-truth.csv</c> goes; relative to the current directory.</summary>
    [Required]
    public string DataDirectory { get; set; } = ".data/backtest";

    public int Seed { get; set; } = 42;

    /// <summary>Places a sensor occupies; a dead sensor is replaced by a new one in the same slot.</summary>
    [Range(1, 100_000)]
    public int Slots { get; set; } = 1000;

    /// <summary>The window whose heartbeats are written: [<see cref="EndAt"/> − Days, <see cref="EndAt"/>].</summary>
    [Range(1, 3650)]
    public int Days { get; set; } = 60;

    /// <summary>The end of the history; now, rounded down to the minute, when unset.</summary>
    public DateTimeOffset? EndAt { get; set; }

    /// <summary>Each sensor's interval is a whole number of seconds, uniform in [MinInterval, MaxInterval].</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMinutes(5);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Each gap is the current interval × (1 ± Jitter·U).</summary>
    [Range(0.0, 0.9)]
    public double Jitter { get; set; } = 0.2;

    /// <summary>The probability that a healthy sensor's beat is lost.</summary>
    [Range(0.0, 1.0)]
    public double MissRate { get; set; } = 0.01;

    /// <summary>Weibull shape of sensor lifetimes (above 1: wear-out).</summary>
    [Range(0.1, 100.0)]
    public double LifetimeShape { get; set; } = 2.5;

    [Range(0.01, 1_000_000.0)]
    public double LifetimeScaleDays { get; set; } = 400;

    /// <summary>Each slot gets its first sensor this long before the window starts.</summary>
    [Range(0.0, 100_000.0)]
    public double FleetAgeDays { get; set; } = 1095;

    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan ReplaceDelayMin { get; set; } = TimeSpan.FromHours(12);

    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan ReplaceDelayMax { get; set; } = TimeSpan.FromHours(72);

    /// <summary>The share of deaths preceded by degradation; the others come without warning.</summary>
    [Range(0.0, 1.0)]
    public double WarningShare { get; set; } = 0.85;

    [Range(0.0, 365.0)]
    public double DegradeMinDays { get; set; } = 3;

    [Range(0.0, 365.0)]
    public double DegradeMaxDays { get; set; } = 10;

    /// <summary>A degrading sensor's interval at death, as a multiple of its normal one: uniform in [Min, Max].</summary>
    [Range(1.0, 1000.0)]
    public double DegradeFactorMin { get; set; } = 3;

    [Range(1.0, 1000.0)]
    public double DegradeFactorMax { get; set; } = 8;

    /// <summary>The beat-loss probability just before a degrading sensor dies (it rises linearly from <see cref="MissRate"/>).</summary>
    [Range(0.0, 1.0)]
    public double DegradeMaxDropRate { get; set; } = 0.3;

    /// <summary>Transient slowdowns (a Poisson process) per sensor and 30 days.</summary>
    [Range(0.0, 1000.0)]
    public double SlowdownsPer30Days { get; set; } = 1.5;

    /// <summary>The share of sensors that now and then fall silent for a while and come back.</summary>
    [Range(0.0, 1.0)]
    public double FlapShare { get; set; } = 0.05;

    /// <summary>Empty the sensors, heartbeats and state changes first; without it a database with sensors is refused.</summary>
    public bool Replace { get; set; }

    public TimeSpan Window => TimeSpan.FromDays(Days);

    /// <summary><see cref="EndAt"/> in UTC, or <paramref name="now"/> rounded down to the minute.</summary>
    public DateTimeOffset ResolveEndAt(DateTimeOffset now)
    {
        if (EndAt is { } endAt)
        {
            return endAt.ToUniversalTime();
        }

        var utc = now.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MinInterval > MaxInterval)
        {
            yield return new ValidationResult($"{nameof(MinInterval)} must not exceed {nameof(MaxInterval)}.", [nameof(MinInterval), nameof(MaxInterval)]);
        }
        else if (Math.Floor(MaxInterval.TotalSeconds) < Math.Ceiling(MinInterval.TotalSeconds))
        {
            yield return new ValidationResult(
                $"{nameof(MinInterval)}..{nameof(MaxInterval)} must contain a whole number of seconds.", [nameof(MinInterval), nameof(MaxInterval)]);
        }

        foreach (var (min, max, minName, maxName) in new[]
        {
            (ReplaceDelayMin.TotalSeconds, ReplaceDelayMax.TotalSeconds, nameof(ReplaceDelayMin), nameof(ReplaceDelayMax)),
            (DegradeMinDays, DegradeMaxDays, nameof(DegradeMinDays), nameof(DegradeMaxDays)),
            (DegradeFactorMin, DegradeFactorMax, nameof(DegradeFactorMin), nameof(DegradeFactorMax)),
        })
        {
            if (min > max)
            {
                yield return new ValidationResult($"{minName} must not exceed {maxName}.", [minName, maxName]);
            }
        }

        if (DegradeMaxDropRate < MissRate)
        {
            yield return new ValidationResult(
                $"{nameof(DegradeMaxDropRate)} must be at least {nameof(MissRate)}: degradation only adds losses.", [nameof(DegradeMaxDropRate), nameof(MissRate)]);
        }
    }
}
