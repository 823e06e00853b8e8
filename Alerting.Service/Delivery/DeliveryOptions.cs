using System.ComponentModel.DataAnnotations;

namespace Alerting.Service.Delivery;

/// <summary>The <c>Alerting:Delivery</c> section: how grouped alerts go out to email and chat channels.</summary>
public sealed class DeliveryOptions : IValidatableObject
{
    public const string Section = "Alerting:Delivery";

    /// <summary>Attempts per message, the first included; then it is given up and shown as failed.</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait after the first failed attempt; it doubles after each further one, up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.001", "06:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long one attempt may take (connecting, sending, the answer).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:02:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the service looks for channels with a message due.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Events one message carries at most; the rest follow in the next.</summary>
    [Range(1, 5000)]
    public int MaxAlertsPerMessage { get; set; } = 1000;

    /// <summary>How long the delivery history is kept.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan KeepDeliveriesFor { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The wait before attempt <paramref name="failed"/> + 1, after <paramref name="failed"/> failed attempts.</summary>
    public TimeSpan RetryDelay(int failed)
    {
        var delay = FirstRetryDelay * Math.Pow(2, Math.Min(failed - 1, 30));
        return delay < MaxRetryDelay ? delay : MaxRetryDelay;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxRetryDelay < FirstRetryDelay)
        {
            yield return new ValidationResult(
                $"MaxRetryDelay ({MaxRetryDelay}) must not be shorter than FirstRetryDelay ({FirstRetryDelay}).", [nameof(MaxRetryDelay)]);
        }
    }
}
