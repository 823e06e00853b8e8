using System.Globalization;
using System.Text;
using Ingestion.Api.Heartbeats;

namespace Ingestion.Api.Tests.Heartbeats;

internal static class HeartbeatTestSupport
{
    /// <summary>The server clock in every test: 2026-11-28T10:05:00Z, i.e. Unix 1795860300.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 5, 0, TimeSpan.Zero);

    public static readonly HeartbeatLimits DefaultLimits = new();

    /// <summary>Wide enough for any representable timestamp, to test conversions without the time window.</summary>
    public static readonly HeartbeatLimits NoTimeWindow =
        new(MaxFutureSkew: TimeSpan.FromDays(3_000_000), Retention: TimeSpan.FromDays(3_000_000));

    public static readonly string[] KnownTitles =
    [
        HeartbeatProblemTitles.MalformedJson,
        HeartbeatProblemTitles.EmptyBatch,
        HeartbeatProblemTitles.TooManyHeartbeats,
        HeartbeatProblemTitles.InvalidHeartbeat,
        HeartbeatProblemTitles.UnprocessableHeartbeat,
    ];

    public static HeartbeatParseResult Parse(string json, HeartbeatLimits? limits = null) =>
        HeartbeatParser.ParseJson(Encoding.UTF8.GetBytes(json), Now, limits ?? DefaultLimits);

    public static HeartbeatParseResult ParseLegacy(string? sensorId, string? timestamp, HeartbeatLimits? limits = null) =>
        HeartbeatParser.ParseLegacy(sensorId, timestamp, Now, limits ?? DefaultLimits);

    public static DateTimeOffset Utc(string iso) =>
        DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    public static IReadOnlyList<ParsedHeartbeat> AssertAccepted(HeartbeatParseResult result)
    {
        Assert.True(result.IsValid, result.Rejection?.Detail);
        Assert.Null(result.Rejection);
        Assert.NotNull(result.Items);
        return result.Items;
    }

    public static HeartbeatRejection AssertRejected(HeartbeatParseResult result, int statusCode, string title)
    {
        Assert.False(result.IsValid);
        Assert.Null(result.Items);
        Assert.Equal(statusCode, result.Rejection.StatusCode);
        Assert.Equal(title, result.Rejection.Title);
        return result.Rejection;
    }

    /// <summary>A valid item whose sensorId is <paramref name="sensorId"/>, for building batches around a faulty one.</summary>
    public static string Item(long sensorId) => $$"""{"sensorId":{{sensorId}},"timestamp":1795860000}""";

    public static string Batch(int count) => "[" + string.Join(",", Enumerable.Range(1, count).Select(i => Item(i))) + "]";

    /// <summary>Holds for every result, whatever the input: used by the fuzz tests.</summary>
    public static void AssertConsistent(HeartbeatParseResult result, HeartbeatLimits limits)
    {
        if (result.IsValid)
        {
            Assert.NotNull(result.Items);
            Assert.InRange(result.Items.Count, 1, limits.MaxItems);
            foreach (var item in result.Items)
            {
                Assert.InRange(item.SensorId, 1, long.MaxValue);
                Assert.Equal(TimeSpan.Zero, item.SensorTime.Offset);
                Assert.InRange(item.SensorTime, Now - limits.EffectiveRetention, Now + limits.EffectiveMaxFutureSkew);
            }

            return;
        }

        Assert.Null(result.Items);
        Assert.Contains(result.Rejection.StatusCode, new[] { 400, 413, 422 });
        Assert.Contains(result.Rejection.Title, KnownTitles);
        Assert.False(string.IsNullOrWhiteSpace(result.Rejection.Detail));
        if (result.Rejection.ItemIndex is { } index)
        {
            Assert.InRange(index, 0, limits.MaxItems);
        }
    }
}
