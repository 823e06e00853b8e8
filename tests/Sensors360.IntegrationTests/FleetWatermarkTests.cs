using System.Net.Http.Json;
using Npgsql;

namespace Sensors360.IntegrationTests;

/// <summary>
/// The staleness scan judges deadlines as of the lowest watermark of every worker heard from lately, not its own
/// alone: another worker may be storing older heartbeats at that moment. Here "another worker" is a report written to
/// <c>worker_watermarks</c> by the test, as a second worker with a batch in flight would write it.
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class FleetWatermarkTests(SensorsAppFixture fixture) : IAsyncLifetime
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    SensorsApi _api = null!;
    BusProbe _probe = null!;

    public async Task InitializeAsync()
    {
        _api = new SensorsApi(fixture.App);
        _probe = await BusProbe.StartAsync(fixture.App);
    }

    public async Task DisposeAsync()
    {
        await _probe.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task No_sensor_is_called_late_while_another_worker_may_still_be_storing_its_heartbeat(bool otherKnowsItsProgress)
    {
        // Late 1 s after its heartbeat (own interval, no grace).
        using var registered = await _api.Worker.PostAsJsonAsync("/api/sensors",
            new { tag = SensorsApi.UniqueTag("watermark"), expectedIntervalSeconds = 1, graceSeconds = 0 });
        var body = await SensorsApi.JsonAsync(registered);
        var (id, key) = (body.GetProperty("id").GetInt64(), body.GetProperty("key").GetString()!);

        await using var db = NpgsqlDataSource.Create((await fixture.App.GetConnectionStringAsync("sensorsdb"))!);
        var other = Guid.NewGuid();
        using var stopReporting = new CancellationTokenSource();
        Task? reporting = null;
        try
        {
            await _api.WaitUntilKeyAcceptedAsync(id, key);
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(
                _probe.StateChanges.Any(r => r.Message.SensorId == id && r.Message.To == "up")), Deadline), "the sensor never came up");
            var heardAt = await _api.TimeAsync("SELECT last_received_at FROM sensor_status WHERE id = $1", id);

            // The other worker has stored everything up to the heartbeat, and no further (or cannot tell how far).
            reporting = ReportAsync(db, other, otherKnowsItsProgress ? heardAt : null, stopReporting.Token);
            var since = DateTimeOffset.UtcNow;
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(
                _probe.Snapshots.Any(s => s.Message.At > since.AddSeconds(4) && (s.Message.LagSeconds is null or > 3))), Deadline),
                "no snapshot showed storing held back by the other worker");
            Assert.DoesNotContain(_probe.StateChanges, r => r.Message.SensorId == id && r.Message.From == "up");

            // The other worker goes silent: after a while its last report no longer counts, and the sensor is stale.
            await stopReporting.CancelAsync();
            await reporting;
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(
                _probe.StateChanges.Any(r => r.Message.SensorId == id && r.Message.From == "up")), Deadline),
                "the sensor was never called late or down once the other worker's report was old");
        }
        finally
        {
            await stopReporting.CancelAsync();
            if (reporting is not null)
            {
                await reporting;
            }
            await using var forget = db.CreateCommand("DELETE FROM worker_watermarks WHERE worker = $1");
            forget.Parameters.Add(new() { Value = other });
            await forget.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Reports <paramref name="watermark"/> as <paramref name="worker"/>'s every 200 ms until cancelled.</summary>
    static async Task ReportAsync(NpgsqlDataSource db, Guid worker, DateTimeOffset? watermark, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await using var command = db.CreateCommand("""
                    INSERT INTO worker_watermarks (worker, watermark, reported_at) VALUES ($1, $2, now())
                    ON CONFLICT (worker) DO UPDATE SET watermark = excluded.watermark, reported_at = excluded.reported_at
                    """);
                command.Parameters.Add(new() { Value = worker });
                command.Parameters.Add(new() { Value = watermark is { } at ? at : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
                await command.ExecuteNonQueryAsync(cancellationToken);
                await Task.Delay(200, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the other worker went silent
        }
    }
}
