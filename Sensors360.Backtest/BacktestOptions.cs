using System.ComponentModel.DataAnnotations;

namespace Sensors360.Backtest;

/// <summary>The <c>Backtest</c> configuration section (command line: <c>--Backtest:Key=value</c>).</summary>
public sealed class BacktestOptions
{
    public const string Section = "Backtest";

    [Required]
    public string ConnectionString { get; set; } = "";

    [Required]
    public string TruthFile { get; set; } = ".data/backtest/history-truth.csv";

    /// <summary>
    /// A history kept outside the simulator (sensors.csv, heartbeats.csv, truth.csv: docs/predictive-maintenance.md,
    /// "External histories"), imported into the empty database and judged by its own truth.csv; TruthFile is then unused.
    /// </summary>
    public string? HistoryDirectory { get; set; }

    /// <summary>Scoring starts this long after the first heartbeat of the history: the model needs failures to learn from.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "365.00:00:00")]
    public TimeSpan WarmUp { get; set; } = TimeSpan.FromDays(21);

    /// <summary>The fleet is scored once per step, as the live worker would every few minutes.</summary>
    [Range(typeof(TimeSpan), "00:10:00", "7.00:00:00")]
    public TimeSpan Step { get; set; } = TimeSpan.FromHours(6);

    /// <summary>The model is refitted once per this, with only what was known at that moment.</summary>
    [Range(typeof(TimeSpan), "00:10:00", "30.00:00:00")]
    public TimeSpan Refit { get; set; } = TimeSpan.FromDays(1);

    /// <summary>A death counts as predicted when the sensor was flagged at least this long before it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan MinLead { get; set; } = TimeSpan.FromHours(24);

    /// <summary>An alert is right when the sensor dies within this long of it.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "365.00:00:00")]
    public TimeSpan AlertHorizon { get; set; } = TimeSpan.FromDays(30);
}
