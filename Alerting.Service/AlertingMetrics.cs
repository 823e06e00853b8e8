using System.Diagnostics.Metrics;

namespace Alerting.Service;

/// <summary>What the alerting service sends, as a metric of the product's meter (docs/architecture.md#product-metrics).</summary>
public sealed class AlertingMetrics
{
    public const string AlertsSentName = "sensors360.alerting.alerts_sent";

    readonly Counter<long> _alerts;

    public AlertingMetrics(IMeterFactory meters) =>
        _alerts = meters.Create(Extensions.ProductMeter)
            .CreateCounter<long>(AlertsSentName, "{alert}", "Alerts delivered or given up, by channel kind and outcome (delivered, failed)");

    /// <param name="channel">webhook, email, slack or teams.</param>
    public void AlertsSent(string channel, bool delivered, int alerts = 1) => _alerts.Add(alerts,
        new KeyValuePair<string, object?>("channel", channel),
        new KeyValuePair<string, object?>("outcome", delivered ? "delivered" : "failed"));
}
