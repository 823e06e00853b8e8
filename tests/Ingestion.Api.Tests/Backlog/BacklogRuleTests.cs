using System.ComponentModel.DataAnnotations;
using Ingestion.Api.Heartbeats;
using Microsoft.Extensions.Hosting;
using Sensors360.Messaging;

namespace Ingestion.Api.Tests.Backlog;

public sealed class BacklogRuleTests
{
    static readonly DateTimeOffset At = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    static BacklogReading Read(long ready) => new(BacklogState.Read, ready, At, null);

    [Fact]
    public void A_backlog_above_the_bound_is_an_excess_naming_the_count_and_the_bound()
    {
        var excess = BacklogRule.Excess(Read(20_001), bound: 20_000);

        Assert.Equal(new BacklogExcess(20_001, 20_000), excess);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(19_999)]
    [InlineData(20_000)]
    public void A_backlog_at_or_below_the_bound_refuses_nothing(long ready) =>
        Assert.Null(BacklogRule.Excess(Read(ready), bound: 20_000));

    [Theory]
    [InlineData(BacklogState.NotReadYet, "not read yet")]
    [InlineData(BacklogState.QueueMissing, "the queue 'heartbeats' does not exist yet")]
    [InlineData(BacklogState.Unreachable, "RabbitMQ is unreachable: Connection refused")]
    public void An_unknown_backlog_refuses_nothing_even_with_the_lowest_bound(BacklogState state, string problem) =>
        Assert.Null(BacklogRule.Excess(new BacklogReading(state, null, null, problem), bound: 1));

    [Fact]
    public void The_detail_says_the_monitor_is_behind_how_many_messages_wait_the_bound_and_when_to_retry()
    {
        var detail = BacklogRule.Detail(new BacklogExcess(123_456, 20_000), retryAfterSeconds: 5);

        Assert.Equal(
            "The monitor is behind: 123,456 messages (batches of heartbeats) wait in the 'heartbeats' queue, more than "
            + "the bound of 20,000. Nothing was accepted; send the same request again in 5 s (Retry-After).", detail);
    }

    [Fact]
    public void The_settings_default_to_20000_messages_and_a_5_second_retry()
    {
        var options = new IngestionOptions();

        Assert.Equal(20_000, options.MaxBacklogMessages);
        Assert.Equal(TimeSpan.FromSeconds(5), options.BacklogRetryAfter);
        Assert.True(Valid(options));
    }

    [Fact]
    public void A_bound_below_1_or_a_retry_outside_1_second_to_1_hour_fails_validation()
    {
        Assert.False(Valid(new IngestionOptions { MaxBacklogMessages = 0 }));
        Assert.False(Valid(new IngestionOptions { MaxBacklogMessages = -5 }));
        Assert.False(Valid(new IngestionOptions { BacklogRetryAfter = TimeSpan.FromMilliseconds(500) }));
        Assert.False(Valid(new IngestionOptions { BacklogRetryAfter = TimeSpan.FromHours(2) }));
        Assert.True(Valid(new IngestionOptions { MaxBacklogMessages = 1, BacklogRetryAfter = TimeSpan.FromSeconds(1) }));
    }

    static bool Valid(object options) => Validator.TryValidateObject(options, new(options), null, validateAllProperties: true);
}
