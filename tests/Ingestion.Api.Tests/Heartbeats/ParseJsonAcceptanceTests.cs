using System.Text;
using Ingestion.Api.Heartbeats;
using static Ingestion.Api.Tests.Heartbeats.HeartbeatTestSupport;

namespace Ingestion.Api.Tests.Heartbeats;

public sealed class ParseJsonAcceptanceTests
{
    [Fact]
    public void A_single_object_yields_one_heartbeat_with_its_sensor_id_and_time()
    {
        var items = AssertAccepted(Parse("""{"sensorId":42,"timestamp":"2026-11-28T10:00:00Z"}"""));

        var heartbeat = Assert.Single(items);
        Assert.Equal(42, heartbeat.SensorId);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero), heartbeat.SensorTime);
    }

    [Fact]
    public void An_array_yields_every_heartbeat_in_body_order()
    {
        var items = AssertAccepted(Parse("""
            [
              {"sensorId":3,"timestamp":"2026-11-28T10:01:00Z"},
              {"sensorId":1,"timestamp":1795860000},
              {"sensorId":2,"timestamp":1795860000250}
            ]
            """));

        Assert.Equal(
            [
                new ParsedHeartbeat(3, Utc("2026-11-28T10:01:00Z")),
                new ParsedHeartbeat(1, Utc("2026-11-28T10:00:00Z")),
                new ParsedHeartbeat(2, Utc("2026-11-28T10:00:00.25Z")),
            ],
            items);
    }

    [Fact]
    public void An_iso_timestamp_with_an_offset_becomes_the_same_instant_expressed_in_utc()
    {
        var heartbeat = Assert.Single(AssertAccepted(
            Parse("""{"sensorId":7,"timestamp":"2026-11-28T10:00:00.123+02:00"}""")));

        Assert.Equal(new DateTimeOffset(2026, 11, 28, 8, 0, 0, 123, TimeSpan.Zero), heartbeat.SensorTime);
        Assert.Equal(TimeSpan.Zero, heartbeat.SensorTime.Offset);
    }

    [Theory]
    [InlineData("1795860000", "2026-11-28T10:00:00Z")]
    [InlineData("1795860000123", "2026-11-28T10:00:00.123Z")]
    [InlineData("1795860000.5", "2026-11-28T10:00:00.5Z")]
    [InlineData("1795860000.123", "2026-11-28T10:00:00.123Z")]
    [InlineData("1795860000.1239", "2026-11-28T10:00:00.123Z")]
    [InlineData("1.7958600005e9", "2026-11-28T10:00:00.5Z")]
    [InlineData("1795860000123.9", "2026-11-28T10:00:00.123Z")]
    [InlineData("1795860000.0", "2026-11-28T10:00:00Z")]
    public void Epoch_numbers_are_seconds_or_milliseconds_and_keep_millisecond_precision(string epoch, string expected)
    {
        var heartbeat = Assert.Single(AssertAccepted(Parse($$"""{"sensorId":1,"timestamp":{{epoch}}}""")));

        Assert.Equal(Utc(expected), heartbeat.SensorTime);
        Assert.Equal(TimeSpan.Zero, heartbeat.SensorTime.Offset);
    }

    [Theory]
    [InlineData("99999999999", "5138-11-16T09:46:39Z")]
    [InlineData("100000000000", "1973-03-03T09:46:40Z")]
    [InlineData("-100000000000", "1966-10-31T14:13:20Z")]
    [InlineData("-62135596800", "0001-01-01T00:00:00Z")]
    [InlineData("253402300799999", "9999-12-31T23:59:59.999Z")]
    [InlineData("-1.5", "1969-12-31T23:59:58.5Z")]
    [InlineData("-0.0005", "1969-12-31T23:59:59.999Z")]
    public void The_seconds_to_milliseconds_switch_is_at_1e11_and_sub_millisecond_digits_are_floored(string epoch, string expected)
    {
        var heartbeat = Assert.Single(AssertAccepted(
            Parse($$"""{"sensorId":1,"timestamp":{{epoch}}}""", NoTimeWindow)));

        Assert.Equal(Utc(expected), heartbeat.SensorTime);
    }

    [Theory]
    [InlineData("""{"SENSORID":7,"TIMESTAMP":1795860000}""")]
    [InlineData("""{"sensorid":7,"timestamp":1795860000}""")]
    [InlineData("""{"SensorId":7,"TimeStamp":1795860000}""")]
    [InlineData("""{"sensor\u0049d":7,"time\u0073tamp":1795860000}""")]
    public void Property_names_match_case_insensitively_and_after_unescaping(string json)
    {
        var heartbeat = Assert.Single(AssertAccepted(Parse(json)));

        Assert.Equal(new ParsedHeartbeat(7, Utc("2026-11-28T10:00:00Z")), heartbeat);
    }

    [Fact]
    public void Unknown_properties_are_ignored_whatever_their_value_and_position()
    {
        var heartbeat = Assert.Single(AssertAccepted(Parse("""
            {"firmware":"1.2.3","timestamp":"2026\u002d11-28T09:59:00Z","extra":{"a":[1,{"b":null}],"c":[[]]},
             "sensorId":9,"battery":0.81,"ok":true}
            """)));

        Assert.Equal(new ParsedHeartbeat(9, Utc("2026-11-28T09:59:00Z")), heartbeat);
    }

    [Fact]
    public void The_largest_sensor_id_is_accepted()
    {
        var heartbeat = Assert.Single(AssertAccepted(Parse($$"""{"sensorId":{{long.MaxValue}},"timestamp":1795860000}""")));

        Assert.Equal(long.MaxValue, heartbeat.SensorId);
    }

    [Fact]
    public void A_leading_utf8_byte_order_mark_is_tolerated()
    {
        var body = Encoding.UTF8.Preamble.ToArray().Concat(Encoding.UTF8.GetBytes(Item(5))).ToArray();

        var heartbeat = Assert.Single(AssertAccepted(HeartbeatParser.ParseJson(body, Now, DefaultLimits)));

        Assert.Equal(5, heartbeat.SensorId);
    }

    [Fact]
    public void A_batch_of_exactly_max_items_is_accepted()
    {
        var items = AssertAccepted(Parse(Batch(3), new HeartbeatLimits(MaxItems: 3)));

        Assert.Equal([1L, 2L, 3L], items.Select(item => item.SensorId));
    }
}
