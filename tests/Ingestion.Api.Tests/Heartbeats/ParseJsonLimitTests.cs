using System.Text;
using Ingestion.Api.Heartbeats;
using static Ingestion.Api.Tests.Heartbeats.HeartbeatTestSupport;

namespace Ingestion.Api.Tests.Heartbeats;

public sealed class ParseJsonLimitTests
{
    [Fact]
    public void A_batch_larger_than_max_items_is_rejected_with_413_naming_the_limit()
    {
        var rejection = AssertRejected(
            Parse(Batch(4), new HeartbeatLimits(MaxItems: 3)), 413, HeartbeatProblemTitles.TooManyHeartbeats);

        Assert.Null(rejection.ItemIndex);
        Assert.Equal(
            "The batch holds more than 3 heartbeats; at most 3 are accepted per request. Split it into smaller batches.",
            rejection.Detail);
    }

    [Fact]
    public void The_item_limit_is_detected_while_reading_before_the_rest_of_the_body_is_parsed()
    {
        // Everything after the 4th item is broken: only stopping at the 4th item can yield a 413.
        var json = Batch(4)[..^1] + """,{"sensorId":"broken" ,,, """;

        var rejection = AssertRejected(
            Parse(json, new HeartbeatLimits(MaxItems: 3)), 413, HeartbeatProblemTitles.TooManyHeartbeats);

        Assert.Contains("more than 3 heartbeats", rejection.Detail);
    }

    [Fact]
    public void The_default_limit_accepts_10000_heartbeats_and_rejects_10001()
    {
        var accepted = AssertAccepted(Parse(Batch(10_000)));
        var rejection = AssertRejected(Parse(Batch(10_001)), 413, HeartbeatProblemTitles.TooManyHeartbeats);

        Assert.Equal(10_000, accepted.Count);
        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => (long)i), accepted.Select(item => item.SensorId));
        Assert.Contains("at most 10000 are accepted", rejection.Detail);
    }

    [Fact]
    public void A_timestamp_more_than_5_minutes_in_the_future_is_rejected_with_422_naming_the_item()
    {
        var json = $$"""[{{Item(1)}},{{Item(2)}},{{Item(3)}},{"sensorId":4,"timestamp":"2026-11-28T11:00:00Z"}]""";

        var rejection = AssertRejected(Parse(json), 422, HeartbeatProblemTitles.UnprocessableHeartbeat);

        Assert.Equal(3, rejection.ItemIndex);
        Assert.Equal(
            "Item 3: 'timestamp' 2026-11-28T11:00:00Z is 55 minutes in the future; at most 5 minutes of clock skew is accepted.",
            rejection.Detail);
    }

    [Fact]
    public void Exactly_the_maximum_clock_skew_is_accepted_and_one_millisecond_more_is_not()
    {
        // Now is 1795860300000 ms; the limit is 300000 ms later.
        var atLimit = Assert.Single(AssertAccepted(Parse("""{"sensorId":1,"timestamp":1795860600000}""")));
        var rejection = AssertRejected(
            Parse("""{"sensorId":1,"timestamp":1795860600001}"""), 422, HeartbeatProblemTitles.UnprocessableHeartbeat);

        Assert.Equal(Now.AddMinutes(5), atLimit.SensorTime);
        Assert.Equal(
            "Item 0: 'timestamp' 2026-11-28T10:10:00.001Z is 5 minutes 1 second in the future; at most 5 minutes of clock skew is accepted.",
            rejection.Detail);
    }

    [Fact]
    public void A_timestamp_older_than_the_retention_is_rejected_with_422_and_one_exactly_at_it_is_accepted()
    {
        // Now minus 90 days is 2026-08-30T10:05:00Z = 1788084300000 ms.
        var atLimit = Assert.Single(AssertAccepted(Parse("""{"sensorId":1,"timestamp":1788084300000}""")));
        var rejection = AssertRejected(
            Parse($$"""[{{Item(1)}},{"sensorId":2,"timestamp":1788084299999}]"""), 422, HeartbeatProblemTitles.UnprocessableHeartbeat);

        Assert.Equal(Now.AddDays(-90), atLimit.SensorTime);
        Assert.Equal(1, rejection.ItemIndex);
        Assert.Equal(
            "Item 1: 'timestamp' 2026-08-30T10:04:59.999Z is 90 days 1 second old; heartbeats older than 90 days are not accepted.",
            rejection.Detail);
    }

    [Theory]
    [InlineData("2026-11-28T10:07:00Z", "'timestamp' 2026-11-28T10:07:00Z is 2 minutes in the future; at most 1 minute of clock skew is accepted.")]
    [InlineData("2026-11-26T10:05:00+01:00", "'timestamp' 2026-11-26T09:05:00Z is 2 days 1 hour old; heartbeats older than 1 day are not accepted.")]
    public void Custom_skew_and_retention_limits_are_applied(string timestamp, string detail)
    {
        var limits = new HeartbeatLimits(MaxFutureSkew: TimeSpan.FromMinutes(1), Retention: TimeSpan.FromDays(1));

        var rejection = AssertRejected(
            Parse($$"""{"sensorId":1,"timestamp":"{{timestamp}}"}""", limits), 422, HeartbeatProblemTitles.UnprocessableHeartbeat);

        Assert.Equal("Item 0: " + detail, rejection.Detail);
    }

    [Fact]
    public void Among_several_out_of_window_items_the_first_is_reported()
    {
        var json = $$"""[{{Item(1)}},{"sensorId":2,"timestamp":1},{"sensorId":3,"timestamp":"2030-01-01T00:00:00Z"}]""";

        var rejection = AssertRejected(Parse(json), 422, HeartbeatProblemTitles.UnprocessableHeartbeat);

        Assert.Equal(1, rejection.ItemIndex);
        Assert.StartsWith("Item 1: 'timestamp' 1970-01-01T00:00:01Z is ", rejection.Detail);
    }

    [Theory]
    [InlineData("""[{"sensorId":1,"timestamp":1},{"sensorId":0,"timestamp":1795860000}]""", 400, 1)]
    [InlineData("""[{"sensorId":1,"timestamp":"2030-01-01T00:00:00Z"},{"timestamp":1795860000}]""", 400, 1)]
    [InlineData("""[{"sensorId":1,"timestamp":1}] x""", 400, null)]
    [InlineData("""[{"sensorId":1,"timestamp":1},{"sensorId":2,"timestamp":1795860000},{"sensorId":3,"timestamp":1795860000}]""", 413, null)]
    public void A_422_is_only_reported_for_a_body_that_is_otherwise_well_formed(string json, int status, int? itemIndex)
    {
        var result = Parse(json, new HeartbeatLimits(MaxItems: 2));

        Assert.False(result.IsValid);
        Assert.Equal(status, result.Rejection.StatusCode);
        Assert.Equal(itemIndex, result.Rejection.ItemIndex);
    }

    [Fact]
    public void Invalid_limits_are_a_programming_error_and_throw()
    {
        var body = Encoding.UTF8.GetBytes(Item(1));

        Assert.Throws<ArgumentOutOfRangeException>(() => HeartbeatParser.ParseJson(body, Now, new HeartbeatLimits(MaxItems: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => HeartbeatParser.ParseJson(body, Now, new HeartbeatLimits(MaxFutureSkew: TimeSpan.FromSeconds(-1))));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => HeartbeatParser.ParseLegacy("1", "1795860000", Now, new HeartbeatLimits(Retention: TimeSpan.FromSeconds(-1))));
    }
}
