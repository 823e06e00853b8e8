namespace Sensors360.Backtest.Tests;

/// <summary>What the external-history reader refuses, each with the file and line it names.</summary>
public sealed class ExternalHistoryFilesTests : IDisposable
{
    readonly string _directory = Directory.CreateTempSubdirectory("sensors360-history-files-").FullName;

    IReadOnlyDictionary<long, ExternalSensor> Sensors(string rows)
    {
        File.WriteAllText(Path.Combine(_directory, ExternalHistoryFiles.SensorsFile), ExternalHistoryFiles.SensorsHeader + "\n" + rows);
        return ExternalHistoryFiles.ReadSensors(_directory).ToDictionary(s => s.Id);
    }

    string HeartbeatsError(string rows)
    {
        var sensors = Sensors("1,2026-01-01T00:00:00Z,,,60,\n");
        File.WriteAllText(Path.Combine(_directory, ExternalHistoryFiles.HeartbeatsFile), ExternalHistoryFiles.HeartbeatsHeader + "\n" + rows);
        return Assert.Throws<FormatException>(() => ExternalHistoryFiles.ReadHeartbeats(_directory, sensors).ToList()).Message;
    }

    [Theory]
    [InlineData("1,2026-01-02T00:00:00Z\n1,2026-01-02T00:01:00Z\"\n", "heartbeats.csv line 3: a quote inside an unquoted field")]
    [InlineData("1,2026-01-02T00:00:00Z\n1,2126-01-02T00:00:00Z\n", "heartbeats.csv line 3: 2126-01-02T00:00:00Z is in the future.")]
    [InlineData("1,2025-12-31T23:59:59Z\n", "heartbeats.csv line 2: 2025-12-31T23:59:59Z is outside sensor 1's registration")]
    [InlineData("2,2026-01-02T00:00:00Z\n", "heartbeats.csv line 2: sensor 2 is not in sensors.csv.")]
    [InlineData("1,02/01/2026 00:00\n", "heartbeats.csv line 2: timestamp is '02/01/2026 00:00', expected an ISO-8601 time")]
    [InlineData("1\n", "heartbeats.csv line 2: 1 fields, expected 2")]
    public void A_heartbeat_line_that_does_not_read_is_refused_by_its_line(string rows, string expected) =>
        Assert.StartsWith(expected, HeartbeatsError(rows), StringComparison.Ordinal);

    [Theory]
    [InlineData("1,2026-01-01T00:00:00Z,,,60,\n1,2026-01-02T00:00:00Z,,,60,\n", "sensors.csv line 3: sensor 1 is listed twice.")]
    [InlineData("1,2026-01-01T00:00:00Z,,failed,60,\n", "sensors.csv line 2: retired_why is given but retired_at is not.")]
    [InlineData("1,2026-01-01T00:00:00Z,2026-01-02T00:00:00Z,broken,60,\n", "sensors.csv line 2: retired_why is 'broken'")]
    [InlineData("1,2026-01-01T00:00:00Z,,,0,\n", "sensors.csv line 2: expected_interval_seconds is '0', expected a whole number from 1 to 86400")]
    [InlineData("1,2026-01-01T00:00:00Z,,,60,5\n", "sensors.csv line 2: stale_after_seconds is '5', expected a whole number from 10 to 2592000")]
    public void A_sensor_line_that_does_not_read_is_refused_by_its_line(string rows, string expected) =>
        Assert.StartsWith(expected, Assert.Throws<FormatException>(() => Sensors(rows)).Message, StringComparison.Ordinal);

    [Fact]
    public void Times_with_an_offset_are_taken_in_utc_and_those_without_one_as_utc()
    {
        var sensors = Sensors("1,2026-01-01T01:00:00+01:00,2026-01-03T00:00:00,decommissioned,,\n");

        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), sensors[1].RegisteredAt);
        Assert.Equal(new DateTimeOffset(2026, 1, 3, 0, 0, 0, TimeSpan.Zero), sensors[1].RetiredAt);
        Assert.Null(sensors[1].ExpectedInterval);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
