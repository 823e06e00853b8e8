using Ingestion.Api.Heartbeats;
using static Ingestion.Api.Tests.Heartbeats.HeartbeatTestSupport;

namespace Ingestion.Api.Tests.Heartbeats;

public sealed class ParseJsonInvalidHeartbeatTests
{
    [Theory]
    [InlineData("""{"timestamp":1795860000}""", "sensorId")]
    [InlineData("""{"sensorId":2}""", "timestamp")]
    [InlineData("""{"note":"both missing"}""", "sensorId")]
    [InlineData("""{}""", "sensorId")]
    public void A_missing_required_property_is_rejected_with_400_naming_the_item_and_the_field(string item, string field)
    {
        var rejection = AssertRejected(
            Parse($"[{Item(1)},{Item(2)},{item}]"), 400, HeartbeatProblemTitles.InvalidHeartbeat);

        Assert.Equal(2, rejection.ItemIndex);
        Assert.Equal($"Item 2: the required property '{field}' is missing.", rejection.Detail);
    }

    [Theory]
    [InlineData("""{"sensorId":1,"sensorId":2,"timestamp":1795860000}""", "sensorId")]
    [InlineData("""{"sensorId":1,"SENSORID":1,"timestamp":1795860000}""", "sensorId")]
    [InlineData("""{"timestamp":1795860000,"sensorId":1,"timeStamp":"2026-11-28T10:00:00Z"}""", "timestamp")]
    [InlineData("""{"note":"a","sensorId":1,"timestamp":1795860000,"Note":"b"}""", "Note")]
    public void A_property_appearing_twice_in_one_object_is_rejected_with_400(string item, string property)
    {
        var rejection = AssertRejected(Parse($"[{Item(1)},{item}]"), 400, HeartbeatProblemTitles.InvalidHeartbeat);

        Assert.Equal(1, rejection.ItemIndex);
        Assert.StartsWith($"Item 1: the property '{property}' appears more than once", rejection.Detail);
    }

    [Fact]
    public void Unknown_property_names_are_tracked_per_object_so_the_same_name_in_two_items_is_fine()
    {
        var items = AssertAccepted(Parse("""
            [{"note":"x","sensorId":1,"timestamp":1795860000},{"note":"y","sensorId":2,"timestamp":1795860000}]
            """));

        Assert.Equal([1L, 2L], items.Select(item => item.SensorId));
    }

    [Theory]
    [InlineData("\"42\"", "must be a JSON integer, but is the string \"42\".")]
    [InlineData("42.5", "must be an integer, but is the number 42.5.")]
    [InlineData("42.0", "must be an integer, but is the number 42.0.")]
    [InlineData("4.2e1", "must be an integer, but is the number 4.2e1.")]
    [InlineData("true", "must be a JSON integer, but is true.")]
    [InlineData("false", "must be a JSON integer, but is false.")]
    [InlineData("null", "must be a JSON integer, but is null.")]
    [InlineData("{\"id\":42}", "must be a JSON integer, but is an object.")]
    [InlineData("[42]", "must be a JSON integer, but is an array.")]
    [InlineData("0", "must be a positive integer (1 to 9223372036854775807), but is 0.")]
    [InlineData("-7", "must be a positive integer (1 to 9223372036854775807), but is -7.")]
    [InlineData("9223372036854775808", "9223372036854775808 is out of range; it must be between 1 and 9223372036854775807.")]
    [InlineData("-9223372036854775809", "-9223372036854775809 is out of range; it must be between 1 and 9223372036854775807.")]
    public void A_sensor_id_that_is_not_a_positive_64_bit_integer_is_rejected_with_400_saying_why(string value, string why)
    {
        var rejection = AssertRejected(
            Parse($$"""[{{Item(1)}},{"timestamp":1795860000,"sensorId":{{value}}}]"""), 400, HeartbeatProblemTitles.InvalidHeartbeat);

        Assert.Equal(1, rejection.ItemIndex);
        Assert.Equal($"Item 1: 'sensorId' {why}", rejection.Detail);
    }

    [Theory]
    [InlineData("2026-11-28T10:00:00")]
    [InlineData("2026-11-28T10:00:00.123")]
    [InlineData("2026-11-28T10:00")]
    [InlineData("2026-11-28")]
    public void An_iso_timestamp_without_an_offset_is_rejected_with_400_saying_the_offset_is_required(string value)
    {
        var rejection = AssertRejected(
            Parse($$"""{"sensorId":1,"timestamp":"{{value}}"}"""), 400, HeartbeatProblemTitles.InvalidHeartbeat);

        Assert.Equal(0, rejection.ItemIndex);
        Assert.StartsWith($"Item 0: 'timestamp' \"{value}\" has no UTC offset", rejection.Detail);
        Assert.Contains("the offset is required", rejection.Detail);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("")]
    [InlineData("1795860000")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("2026-11-28T24:00:01Z")]
    [InlineData("2026-11-28T10:00:00+0200")]
    [InlineData("28/11/2026 10:00:00 +00:00")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    public void A_timestamp_string_that_is_not_an_iso_8601_date_time_is_rejected_with_400(string value)
    {
        var rejection = AssertRejected(
            Parse($$"""[{{Item(1)}},{"sensorId":2,"timestamp":"{{value}}"}]"""), 400, HeartbeatProblemTitles.InvalidHeartbeat);

        Assert.Equal(1, rejection.ItemIndex);
        Assert.StartsWith($"Item 1: 'timestamp' \"{value}\" is not an ISO-8601 date-time", rejection.Detail);
    }

    [Theory]
    [InlineData("1e30")]
    [InlineData("1e999")]
    [InlineData("-1e999")]
    [InlineData("99999999999999999999999999999999")]
    [InlineData("253402300800000")]
    [InlineData("-62135596801")]
    [InlineData("-99999999999.5")]
    public void An_epoch_number_beyond_the_representable_dates_is_rejected_with_400(string value)
    {
        var rejection = AssertRejected(
            Parse($$"""{"sensorId":1,"timestamp":{{value}}}""", NoTimeWindow), 400, HeartbeatProblemTitles.InvalidHeartbeat);

        Assert.Equal(0, rejection.ItemIndex);
        Assert.StartsWith($"Item 0: 'timestamp' {value} is outside the supported date range", rejection.Detail);
    }

    [Theory]
    [InlineData("true", "true")]
    [InlineData("null", "null")]
    [InlineData("{}", "an object")]
    [InlineData("[1795860000]", "an array")]
    public void A_timestamp_of_the_wrong_json_type_is_rejected_with_400(string value, string described)
    {
        var rejection = AssertRejected(
            Parse($$"""{"sensorId":1,"timestamp":{{value}}}"""), 400, HeartbeatProblemTitles.InvalidHeartbeat);

        Assert.Equal(
            $"Item 0: 'timestamp' must be an ISO-8601 string or a Unix epoch number, but is {described}.",
            rejection.Detail);
    }

    [Fact]
    public void The_first_invalid_item_is_the_one_reported()
    {
        var rejection = AssertRejected(
            Parse($$"""[{{Item(1)}},{"sensorId":-1,"timestamp":1795860000},{"sensorId":3,"timestamp":"soon"}]"""),
            400,
            HeartbeatProblemTitles.InvalidHeartbeat);

        Assert.Equal(1, rejection.ItemIndex);
        Assert.Contains("-1", rejection.Detail);
    }

    [Fact]
    public void Values_quoted_back_in_a_detail_are_shortened()
    {
        var longValue = new string('9', 500);

        var rejection = AssertRejected(
            Parse($$"""{"sensorId":{{longValue}},"timestamp":1795860000}"""), 400, HeartbeatProblemTitles.InvalidHeartbeat);

        Assert.Contains(new string('9', 40) + "…", rejection.Detail);
        Assert.InRange(rejection.Detail.Length, 41, 200);
    }
}
