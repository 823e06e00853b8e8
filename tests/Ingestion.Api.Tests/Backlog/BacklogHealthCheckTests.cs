using Ingestion.Api.Heartbeats;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Sensors360.Messaging;

namespace Ingestion.Api.Tests.Backlog;

public sealed class BacklogHealthCheckTests
{
    static readonly DateTimeOffset At = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    static HealthCheckResult Evaluate(BacklogReading reading) => BacklogHealthCheck.Evaluate("heartbeats", reading, bound: 20_000);

    [Fact]
    public void A_backlog_within_the_bound_is_healthy_and_shown_with_the_bound()
    {
        var result = Evaluate(new(BacklogState.Read, 1_234, At, null));

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("1,234 messages ready in 'heartbeats' (bound 20,000), read 2026-11-28T10:00:00.0000000+00:00.", result.Description);
    }

    [Fact]
    public void A_backlog_over_the_bound_is_degraded_and_says_heartbeats_are_refused()
    {
        var result = Evaluate(new(BacklogState.Read, 20_001, At, null));

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.StartsWith("20,001 messages ready in 'heartbeats', more than the bound of 20,000", result.Description);
        Assert.EndsWith("the monitor is behind and heartbeats are refused with 503.", result.Description);
    }

    [Fact]
    public void An_unreachable_broker_is_degraded_but_says_nothing_is_refused_for_it()
    {
        var result = Evaluate(new(BacklogState.Unreachable, null, null, "RabbitMQ is unreachable: Connection refused"));

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal("Backlog unknown: RabbitMQ is unreachable: Connection refused. Heartbeats are not refused for that alone "
            + "(bound 20,000 messages).", result.Description);
    }

    [Theory]
    [InlineData(BacklogState.NotReadYet, "not read yet")]
    [InlineData(BacklogState.QueueMissing, "the queue 'heartbeats' does not exist yet")]
    public void Before_the_first_reading_or_before_the_queue_exists_nothing_waits_and_it_is_healthy(BacklogState state, string problem)
    {
        var result = Evaluate(new(state, null, null, problem));

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal($"Backlog unknown: {problem} (bound 20,000 messages).", result.Description);
    }
}
