using System.Text;
using System.Text.Json;
using Ingestion.Api.Heartbeats;
using static Ingestion.Api.Tests.Heartbeats.HeartbeatTestSupport;

namespace Ingestion.Api.Tests.Heartbeats;

public sealed class HeartbeatParserRobustnessTests
{
    private const string ValidBody = """
        [{"sensorId":1,"timestamp":"2026-11-28T10:00:00.123+02:00"},
         {"SensorId":22,"timestamp":1795860000.5,"note":{"a":[true,null]}},
         {"timestamp":1795860000123,"sensorId":333}]
        """;

    private static readonly byte[] JsonAlphabet = Encoding.UTF8.GetBytes("{}[]\":,0123456789.-+eEtrufalsnNI\\ ZT\n");

    private static readonly string[] Insertions =
    [
        "NaN", "Infinity", "1e999", "-1e999", "9223372036854775808", "-0", "0.5", "\"", "\\", "[", "]", "{", "}", ",", ":",
        "null", "true", "\"2026-11-28T10:00:00\"", "\"\\ud800\"", "\\u0000", "\"sensorId\":", "\"timestamp\":", "[[[[",
        "\u00e9", "\ufeff", "//", "/*",
    ];

    [Fact]
    public void Random_bytes_never_make_the_parser_throw()
    {
        var random = new Random(20261128);
        var limits = new HeartbeatLimits(MaxItems: 5);
        for (var i = 0; i < 20_000; i++)
        {
            var body = new byte[random.Next(0, 96)];
            if (i % 2 == 0)
            {
                random.NextBytes(body);
            }
            else
            {
                // Bytes from JSON's own alphabet get much deeper into the parser than uniform noise.
                for (var b = 0; b < body.Length; b++)
                {
                    body[b] = JsonAlphabet[random.Next(JsonAlphabet.Length)];
                }
            }

            AssertConsistent(ParseWithoutThrowing(body, limits), limits);
        }
    }

    [Fact]
    public void Random_mutations_of_a_valid_body_never_make_the_parser_throw_nor_accept_invalid_json()
    {
        var valid = Encoding.UTF8.GetBytes(ValidBody);
        Assert.Equal(3, AssertAccepted(HeartbeatParser.ParseJson(valid, Now, DefaultLimits)).Count);

        var random = new Random(42);
        var outcomes = new Dictionary<int, int>();
        for (var i = 0; i < 20_000; i++)
        {
            var body = Mutate(valid, random);
            var result = ParseWithoutThrowing(body, DefaultLimits);
            AssertConsistent(result, DefaultLimits);

            var status = result.Rejection?.StatusCode ?? 200;
            outcomes[status] = outcomes.GetValueOrDefault(status) + 1;
            if (!IsValidJson(body))
            {
                Assert.Equal(400, status);
            }
            else if (result.IsValid)
            {
                using var document = JsonDocument.Parse(body);
                var expectedCount = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement.GetArrayLength() : 1;
                Assert.Equal(expectedCount, result.Items.Count);
            }
        }

        // The mutations must actually exercise acceptance, rejection of syntax and semantic rejection.
        Assert.True(outcomes.GetValueOrDefault(200) > 100, $"Only {outcomes.GetValueOrDefault(200)} accepted");
        Assert.True(outcomes.GetValueOrDefault(400) > 1000, $"Only {outcomes.GetValueOrDefault(400)} rejected with 400");
        Assert.True(outcomes.GetValueOrDefault(422) > 10, $"Only {outcomes.GetValueOrDefault(422)} rejected with 422");
    }

    [Fact]
    public void Random_query_values_never_make_the_legacy_parser_throw()
    {
        const string alphabet = "0123456789.-+eE NaInfity:TZ\u0663";
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var result = HeartbeatParser.ParseLegacy(RandomText(), RandomText(), Now, DefaultLimits);

            AssertConsistent(result, DefaultLimits);
            Assert.True(result.Rejection is null or { ItemIndex: null });
        }

        string? RandomText()
        {
            if (random.Next(20) == 0)
            {
                return null;
            }

            var chars = new char[random.Next(0, 40)];
            for (var c = 0; c < chars.Length; c++)
            {
                chars[c] = alphabet[random.Next(alphabet.Length)];
            }

            return new string(chars);
        }
    }

    [Fact]
    public void Parsing_allocates_nothing_per_item_beyond_the_heartbeat_itself_and_the_list()
    {
        const int count = 1000;
        var body = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Range(1, count).Select(i => i % 2 == 0
            ? $$"""{"sensorId":{{i}},"timestamp":1795860000}"""
            : $$"""{"sensorId":{{i}},"timestamp":"2026-11-28T10:00:00.123+02:00"}""")) + "]");
        HeartbeatParser.ParseJson(body, Now, DefaultLimits);

        var heartbeatSize = MeasureAllocatedBytes(() => _ = new ParsedHeartbeat(1, Now));
        HeartbeatParseResult? result = null;
        var allocated = MeasureAllocatedBytes(() => result = HeartbeatParser.ParseJson(body, Now, DefaultLimits));

        var items = Assert.IsType<List<ParsedHeartbeat>>(AssertAccepted(result!));
        Assert.Equal(count, items.Count);
        var expected = count * heartbeatSize + items.Capacity * IntPtr.Size;
        Assert.InRange(allocated, expected, expected + 1024);
    }

    [Fact]
    public void The_list_is_pre_sized_from_the_body_length_but_never_beyond_1024_items()
    {
        var padded = "[" + Item(1) + new string(' ', 1_000_000) + "," + Item(2) + "]";

        var items = Assert.IsType<List<ParsedHeartbeat>>(AssertAccepted(Parse(padded)));

        Assert.Equal(2, items.Count);
        Assert.Equal(1024, items.Capacity);
    }

    private static HeartbeatParseResult ParseWithoutThrowing(byte[] body, HeartbeatLimits limits)
    {
        try
        {
            return HeartbeatParser.ParseJson(body, Now, limits);
        }
        catch (Exception exception)
        {
            Assert.Fail($"ParseJson threw {exception.GetType().Name} for body {Convert.ToHexString(body)}: {exception}");
            throw;
        }
    }

    private static long MeasureAllocatedBytes(Action action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static bool IsValidJson(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var body = new List<byte>(original);
        var mutations = random.Next(1, 4);
        for (var m = 0; m < mutations && body.Count > 0; m++)
        {
            var at = random.Next(body.Count);
            switch (random.Next(6))
            {
                case 0:
                    body[at] = (byte)random.Next(256);
                    break;
                case 1:
                    body[at] = JsonAlphabet[random.Next(JsonAlphabet.Length)];
                    break;
                case 2:
                    body.RemoveRange(at, Math.Min(random.Next(1, 8), body.Count - at));
                    break;
                case 3:
                    body.InsertRange(at, Encoding.UTF8.GetBytes(Insertions[random.Next(Insertions.Length)]));
                    break;
                case 4:
                    var length = Math.Min(random.Next(1, 64), body.Count - at);
                    body.InsertRange(random.Next(body.Count), body.GetRange(at, length));
                    break;
                default:
                    body.RemoveRange(at, body.Count - at);
                    break;
            }
        }

        return [.. body];
    }
}
