using System.Text;
using Ingestion.Api.Heartbeats;
using static Ingestion.Api.Tests.Heartbeats.HeartbeatTestSupport;

namespace Ingestion.Api.Tests.Heartbeats;

public sealed class ParseJsonMalformedBodyTests
{
    [Theory]
    [InlineData("", 0, "does not contain any JSON tokens")]
    [InlineData("   ", 3, "does not contain any JSON tokens")]
    [InlineData("""{"sensorId":1,"timestamp":1795860000} x""", 38, "'x' is invalid after a single JSON value")]
    [InlineData("""{"sensorId":1,"timestamp":1795860000}{"sensorId":2,"timestamp":1795860000}""", 37, "'{' is invalid after a single JSON value")]
    [InlineData("""[{"sensorId":1,"timestamp":1795860000}]]""", 39, "']' is invalid after a single JSON value")]
    [InlineData("""{"sensorId":1,}""", 14, "trailing comma")]
    [InlineData("""{"sensorId":1 "timestamp":2}""", 14, "'\"' is invalid after a value")]
    [InlineData("""[{"sensorId":1,"timestamp":1795860000}""", 38, "open JSON object or array")]
    [InlineData("""{'sensorId':1}""", 1, "''' is an invalid start of a property name")]
    [InlineData("""{"sensorId":1,"timestamp":NaN}""", 26, "'N' is an invalid start of a value")]
    [InlineData("""{"sensorId":1,"timestamp":1795860000 /* now */}""", 37, "'/' is invalid after a value")]
    public void A_syntax_error_is_rejected_with_400_giving_the_byte_offset_reported_by_the_reader(
        string json, int offset, string reason)
    {
        var rejection = AssertRejected(Parse(json), 400, HeartbeatProblemTitles.MalformedJson);

        Assert.Null(rejection.ItemIndex);
        Assert.StartsWith($"The request body is not valid heartbeat JSON at byte offset {offset}: ", rejection.Detail);
        Assert.Contains(reason, rejection.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("42", 0, "the number 42")]
    [InlineData("  \"heartbeat\"", 2, "the string \"heartbeat\"")]
    [InlineData("null", 0, "null")]
    [InlineData("true", 0, "true")]
    public void A_top_level_value_that_is_neither_an_object_nor_an_array_is_rejected_with_400(
        string json, int offset, string described)
    {
        var rejection = AssertRejected(Parse(json), 400, HeartbeatProblemTitles.MalformedJson);

        Assert.Null(rejection.ItemIndex);
        Assert.Equal(
            $"The request body is not valid heartbeat JSON at byte offset {offset}: "
            + $"the body must be a heartbeat object or an array of them, but is {described}.",
            rejection.Detail);
    }

    [Theory]
    [InlineData("""[[{"sensorId":1,"timestamp":1795860000}]]""", 1, 0, "an array")]
    [InlineData("""[{"sensorId":1,"timestamp":1795860000}, [] ]""", 40, 1, "an array")]
    [InlineData("""[{"sensorId":1,"timestamp":1795860000},7]""", 39, 1, "the number 7")]
    [InlineData("""[null]""", 1, 0, "null")]
    public void An_array_element_that_is_not_an_object_is_rejected_with_400_naming_the_item(
        string json, int offset, int itemIndex, string described)
    {
        var rejection = AssertRejected(Parse(json), 400, HeartbeatProblemTitles.MalformedJson);

        Assert.Equal(itemIndex, rejection.ItemIndex);
        Assert.Equal(
            $"The request body is not valid heartbeat JSON at byte offset {offset}: "
            + $"item {itemIndex} must be a heartbeat object, but is {described}.",
            rejection.Detail);
    }

    [Fact]
    public void An_error_on_a_later_line_is_located_by_line_and_by_byte_within_that_line()
    {
        var json = "{\n  \"sensorId\": 1,\n  \"timestamp\": oops\n}";

        var rejection = AssertRejected(Parse(json), 400, HeartbeatProblemTitles.MalformedJson);

        var offset = json.IndexOf("oops", StringComparison.Ordinal);
        Assert.StartsWith(
            $"The request body is not valid heartbeat JSON at byte offset {offset} (line 3, byte 15 of that line): ",
            rejection.Detail);
    }

    [Fact]
    public void Nesting_deeper_than_64_levels_is_rejected_with_400_not_a_stack_overflow()
    {
        var json = $$"""{"sensorId":1,"timestamp":1795860000,"deep":{{new string('[', 10_000)}}}""";

        var rejection = AssertRejected(Parse(json), 400, HeartbeatProblemTitles.MalformedJson);

        Assert.Contains("maximum configured depth of 64", rejection.Detail);
    }

    [Fact]
    public void A_body_that_is_not_utf8_is_rejected_with_400_at_the_first_invalid_byte()
    {
        var prefix = Encoding.UTF8.GetBytes("""{"sensorId":1,"timestamp":1795860000,"note":"caf""");
        var body = prefix.Concat(new byte[] { 0xE9, (byte)'"', (byte)'}' }).ToArray();

        var rejection = AssertRejected(
            HeartbeatParser.ParseJson(body, Now, DefaultLimits), 400, HeartbeatProblemTitles.MalformedJson);

        Assert.Equal(
            $"The request body is not valid heartbeat JSON at byte offset {prefix.Length}: the body is not valid UTF-8.",
            rejection.Detail);
    }

    [Fact]
    public void An_escaped_lone_surrogate_in_a_property_name_is_rejected_with_400()
    {
        var json = """{"sensorId":1,"timestamp":1795860000,"\ud800":1}""";

        var rejection = AssertRejected(Parse(json), 400, HeartbeatProblemTitles.MalformedJson);

        Assert.Contains($"byte offset {json.IndexOf("\"\\ud800", StringComparison.Ordinal)}", rejection.Detail);
    }

    [Fact]
    public void Offsets_count_the_byte_order_mark_so_they_match_the_bytes_the_client_sent()
    {
        var body = Encoding.UTF8.Preamble.ToArray().Concat(Encoding.UTF8.GetBytes("{x")).ToArray();

        var rejection = AssertRejected(
            HeartbeatParser.ParseJson(body, Now, DefaultLimits), 400, HeartbeatProblemTitles.MalformedJson);

        Assert.StartsWith("The request body is not valid heartbeat JSON at byte offset 4: ", rejection.Detail);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData(" [\n ] ")]
    public void An_empty_array_is_rejected_with_400_as_an_empty_batch(string json)
    {
        var rejection = AssertRejected(Parse(json), 400, HeartbeatProblemTitles.EmptyBatch);

        Assert.Null(rejection.ItemIndex);
        Assert.Equal("The batch is empty; send between 1 and 10000 heartbeats.", rejection.Detail);
    }

    [Fact]
    public void An_empty_array_followed_by_garbage_is_malformed_rather_than_empty()
    {
        AssertRejected(Parse("[] ]"), 400, HeartbeatProblemTitles.MalformedJson);
    }
}
