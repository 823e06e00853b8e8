using System.ComponentModel.DataAnnotations;

namespace Alerting.Service.Webhooks;

/// <summary>The <c>Alerting:Webhooks</c> configuration section.</summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Alerting:Webhooks";

    // RabbitMQ takes back a message unacknowledged for 30 minutes (its default consumer_timeout) and closes the
    // channel; a delivery's retries must end well before that.
    static readonly TimeSpan LongestDelivery = TimeSpan.FromMinutes(20);

    /// <summary>Accept http:// targets (local receivers in development and tests); otherwise only https://.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// Non-public ranges (CIDR, e.g. <c>10.20.0.0/16</c>, <c>127.0.0.0/8</c>) that targets may nevertheless be in; by
    /// default none: deliveries to private, loopback and link-local addresses are refused (<see cref="WebhookNetworks"/>).
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>Attempts per delivery, the first included.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Wait before the first retry; it doubles for each further retry, up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one attempt may take, until the response headers arrive.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:02:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>State changes delivered at once (each to all of its targets concurrently).</summary>
    [Range(1, 256)]
    public int ConcurrentMessages { get; set; } = 16;

    /// <summary>The longest a delivery can take: every attempt timing out, with every retry wait between them.</summary>
    public TimeSpan WorstCaseDelivery()
    {
        var total = Timeout * MaxAttempts;
        var delay = FirstRetryDelay;
        for (var retry = 1; retry < MaxAttempts; retry++)
        {
            total += delay < MaxRetryDelay ? delay : MaxRetryDelay;
            delay *= 2;
        }
        return total;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var network in AllowedNetworks)
        {
            var text = network?.Trim() ?? "";
            if (!text.Contains('/', StringComparison.Ordinal) || !System.Net.IPNetwork.TryParse(text, out var parsed))
            {
                yield return new ValidationResult(
                    $"AllowedNetworks: '{network}' is not a network in CIDR notation (an address, '/', the prefix length, e.g. 10.20.0.0/16 or fd00::/8).",
                    [nameof(AllowedNetworks)]);
            }
            // "10.0.0.1/8" may mean 10.0.0.0/8 or 10.0.0.1/32: the operator says which.
            else if (!System.Net.IPAddress.Parse(text[..text.IndexOf('/', StringComparison.Ordinal)]).Equals(parsed.BaseAddress))
            {
                yield return new ValidationResult(
                    $"AllowedNetworks: '{network}' is not a network in CIDR notation: the address has bits beyond the prefix; "
                    + $"write {parsed} for the whole network or the address with /32 (/128) for that address alone.",
                    [nameof(AllowedNetworks)]);
            }
        }
        if (MaxRetryDelay < FirstRetryDelay)
        {
            yield return new ValidationResult(
                $"MaxRetryDelay ({MaxRetryDelay}) must not be shorter than FirstRetryDelay ({FirstRetryDelay}).",
                [nameof(MaxRetryDelay)]);
        }
        if (WorstCaseDelivery() > LongestDelivery)
        {
            yield return new ValidationResult(
                $"With these settings one delivery can take {WorstCaseDelivery()}; keep it under {LongestDelivery} " +
                "(RabbitMQ redelivers a message held for 30 minutes) by lowering MaxAttempts, MaxRetryDelay or Timeout.",
                [nameof(MaxAttempts), nameof(MaxRetryDelay), nameof(Timeout)]);
        }
    }
}
