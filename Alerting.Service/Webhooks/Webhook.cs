namespace Alerting.Service.Webhooks;

/// <summary>
/// An HTTPS target that receives sensor state transitions and at-risk predictions, and the status of its latest
/// delivery attempt.
/// </summary>
public sealed class Webhook
{
    public const int MaxUrlLength = 2000;

    public long Id { get; set; }

    public required string Url { get; set; }

    /// <summary>
    /// Target states (lower case) whose transitions are delivered, and/or the at-risk event; empty
    /// means every state change (not at-risk predictions, which are delivered only to webhooks that ask for them).
    /// </summary>
    public string[] Events { get; set; } = [];

    /// <summary>
    /// Shared signing secret: the HMAC-SHA256 key of every delivery's signature. Shown once at creation and kept in
    /// the database in plain text, because signing needs the secret itself (a hash would not do).
    /// </summary>
    public required string Secret { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    /// <summary>HTTP status of the latest attempt; null when it got no answer (network error, timeout).</summary>
    public int? LastStatusCode { get; set; }

    /// <summary>Why the latest attempt failed; null when it succeeded.</summary>
    public string? LastError { get; set; }

    public DateTimeOffset? LastSuccessAt { get; set; }

    /// <summary>Deliveries (not attempts) that ended in a 2xx.</summary>
    public long DeliveriesSucceeded { get; set; }

    /// <summary>Deliveries given up: a permanent failure, or every attempt failed.</summary>
    public long DeliveriesFailed { get; set; }
}
