using Ingestion.Api.Heartbeats;
using static Ingestion.Api.Tests.Heartbeats.HeartbeatTestSupport;

namespace Ingestion.Api.Tests.Heartbeats;

public sealed class ParseLegacyTests
{
    [Theory]
    [InlineData("42", "1795860000", "2026-11-28T10:00:00Z")]
    [InlineData("42", "1795860000.5", "2026-11-28T10:00:00.5Z")]
    [InlineData("42", "1795860000.1239", "2026-11-28T10:00:00.123Z")]
    [InlineData("42", "1795860000123", "2026-11-28T10:00:00.123Z")]
    [InlineData("0042", "1795860000", "2026-11-28T10:00:00Z")]
    public void A_valid_legacy_query_yields_one_heartbeat(string sensorId, string timestamp, string expected)
    {
        var heartbeat = Assert.Single(AssertAccepted(ParseLegacy(sensorId, timestamp)));

        Assert.Equal(new ParsedHeartbeat(42, Utc(expected)), heartbeat);
        Assert.Equal(TimeSpan.Zero, heartbeat.SensorTime.Offset);
    }

    [Theory]
    [InlineData(null, "1795860000", "sensor_id")]
    [InlineData("", "1795860000", "sensor_id")]
    [InlineData("42", null, "timestamp")]
    [InlineData("42", "", "timestamp")]
    [InlineData(null, null, "sensor_id")]
    public void A_missing_query_parameter_is_rejected_with_400_naming_it(string? sensorId, string? timestamp, string parameter)
    {
        var rejection = AssertRejected(ParseLegacy(sensorId, timestamp), 400, HeartbeatProblemTitles.InvalidHeartbeat);

        Assert.Null(rejection.ItemIndex);
        Assert.Equal($"Query parameter '{parameter}' is required.", rejection.Detail);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("+42")]
    [InlineData("1.5")]
    [InlineData(" 42")]
    [InlineData("42 ")]
    [InlineData("0x2A")]
    [InlineData("４２")]
    [InlineData("9223372036854775808")]
    public void A_sensor_id_that_is_not_a_positive_integer_is_rejected_with_400(string sensorId)
    {
        var rejection = AssertRejected(ParseLegacy(sensorId, "1795860000"), 400, HeartbeatProblemTitles.InvalidHeartbeat);

        Assert.Equal(
            $"Query parameter 'sensor_id' must be a positive integer (1 to 9223372036854775807), but was '{sensorId}'.",
            rejection.Detail);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("2026-11-28T10:00:00Z")]
    [InlineData("1.79586e9")]
    [InlineData("1795860000abc")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("+1795860000")]
    [InlineData(" 1795860000")]
    [InlineData("1,795,860,000")]
    [InlineData("-")]
    public void A_timestamp_that_is_not_plain_epoch_seconds_is_rejected_with_400(string timestamp)
    {
        var rejection = AssertRejected(ParseLegacy("42", timestamp), 400, HeartbeatProblemTitles.InvalidHeartbeat);

        Assert.StartsWith("Query parameter 'timestamp' must be Unix epoch seconds", rejection.Detail);
        Assert.EndsWith($"but was '{timestamp}'.", rejection.Detail);
    }

    [Theory]
    [InlineData("99999999999999999999999999999999999")]
    [InlineData("253402300800000")]
    [InlineData("-62135596801")]
    public void A_timestamp_beyond_the_representable_dates_is_rejected_with_400(string timestamp)
    {
        var rejection = AssertRejected(ParseLegacy("42", timestamp, NoTimeWindow), 400, HeartbeatProblemTitles.InvalidHeartbeat);

        Assert.Equal(
            $"Query parameter 'timestamp' {timestamp} is outside the supported date range (years 1 to 9999).",
            rejection.Detail);
    }

    [Theory]
    [InlineData("1795863600", "'timestamp' 2026-11-28T11:00:00Z is 55 minutes in the future; at most 5 minutes of clock skew is accepted.")]
    [InlineData("1788084299.999", "'timestamp' 2026-08-30T10:04:59.999Z is 90 days 1 second old; heartbeats older than 90 days are not accepted.")]
    public void A_timestamp_outside_the_time_window_is_rejected_with_422(string timestamp, string detail)
    {
        var rejection = AssertRejected(ParseLegacy("42", timestamp), 422, HeartbeatProblemTitles.UnprocessableHeartbeat);

        Assert.Null(rejection.ItemIndex);
        Assert.Equal("Query parameter " + detail, rejection.Detail);
    }
}
