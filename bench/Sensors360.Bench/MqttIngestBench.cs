using System.Diagnostics;
using Npgsql;

namespace Sensors360.Bench;

/// <summary>
/// (i) durable ingest over MQTT, shaped like a fleet of devices: 1,000 sensors, each its own MQTT client signed in
/// with its own key, publishing one heartbeat per message with QoS 1 as fast as the broker acknowledges. What was
/// acknowledged and what was stored in PostgreSQL per second, next to (b) (HTTP, one heartbeat per request) and (a)
/// (HTTP, 500 per request through a collector key) of the same run.
/// </summary>
public static class MqttIngestBench
{
    const int Sensors = 1_000;
    const int ConnectParallel = 32;
    static readonly TimeSpan Warmup = TimeSpan.FromSeconds(5);

    public static async Task<BenchRow[]> RunAsync(
        BenchSystem system, NpgsqlDataSource db, QueueMonitor queue, BenchReport report, TimeSpan duration,
        LoadResult single, LoadResult batched, CancellationToken cancellationToken)
    {
        // (a) leaves a backlog by design; the worker would spend (i)'s run storing it.
        var dropped = await queue.PurgeAsync(cancellationToken);
        Console.WriteLine($"(i) purged (a)'s backlog ({dropped:#,0} messages); registering {Sensors:#,0} sensors with keys");
        var sensors = await system.RegisterSensorsWithKeysAsync($"mqtt-i-{Guid.NewGuid():N}"[..15], Sensors, new SensorTimings(3600, 0, 86400));
        var (first, last) = (sensors.Min(s => s.Id), sensors.Max(s => s.Id));
        if (last - first != Sensors - 1)
        {
            throw new InvalidOperationException("(i) counts its sensors' rows by id range and needs consecutive ids.");
        }

        var connecting = Stopwatch.StartNew();
        await using var fleet = await MqttFleetClients.ConnectAsync(system.App.GetEndpoint("messaging", "mqtt"), sensors, ConnectParallel, cancellationToken);
        Console.WriteLine($"    {Sensors:#,0} MQTT clients connected in {connecting.Elapsed.TotalSeconds:0.0} s");

        await using var profile = CpuProfile.Start();
        var measureFrom = DateTimeOffset.UtcNow + Warmup;
        var measureTo = measureFrom + duration;
        var publishing = fleet.PublishUntilAsync(measureTo, cancellationToken);
        await Task.Delay(measureFrom - DateTimeOffset.UtcNow, cancellationToken);
        var (ackedFrom, storedFrom, from) = (fleet.Acked, await StoredAsync(db, first, last, cancellationToken), Stopwatch.GetTimestamp());
        await Task.Delay(measureTo - DateTimeOffset.UtcNow, cancellationToken);
        var (ackedTo, storedTo, seconds) = (fleet.Acked, await StoredAsync(db, first, last, cancellationToken), Stopwatch.GetElapsedTime(from).TotalSeconds);
        await publishing;
        var shares = CpuProfile.Format(await profile.StopAsync());
        report.Profiles.Add($"(i) MQTT fleet: {shares}");

        var acked = (ackedTo - ackedFrom) / seconds;
        var stored = (storedTo - storedFrom) / seconds;
        var mqttLeft = await queue.MqttReadyAsync(cancellationToken);
        var heartbeatsLeft = (await queue.SampleAsync(cancellationToken)).Depth;
        Console.WriteLine($"(i) MQTT, {Sensors:#,0} clients × 1 heartbeat per message, QoS 1: acknowledged {acked:#,0}/s, stored {stored:#,0}/s over {seconds:0.0} s "
            + $"({fleet.Failed:#,0} publishes failed); left queued at the end: mqtt-heartbeats {mqttLeft:#,0}, heartbeats {heartbeatsLeft:#,0} messages. "
            + $"HTTP same run: (b) 1 per request accepted {single.AcceptedPerSecond:#,0}/s, stored {single.StoredPerSecond:#,0}/s; "
            + $"(a) 500 per request accepted {batched.AcceptedPerSecond:#,0}/s, stored {batched.StoredPerSecond:#,0}/s; CPU: {shares}");
        // What it left behind must not be stored ahead of a later scenario's heartbeats.
        await queue.PurgeMqttAsync(cancellationToken);

        const string scenario = "(i) durable ingest over MQTT, 1 per message, 1,000 clients";
        var ok = fleet.Failed == 0;
        // One message is one heartbeat, so one second of load is `acked` messages.
        var sustained = ok && mqttLeft <= acked;
        return
        [
            new(scenario, $"acknowledged/s (PUBACK once in the durable mqtt-heartbeats queue; {fleet.Failed:#,0} failed)", acked, single.AcceptedPerSecond,
                "HTTP 1 per request, (b)", "—", ok, "/s"),
            new(scenario, $"stored in PostgreSQL/s during the run (left queued: mqtt-heartbeats {mqttLeft:#,0}, heartbeats {heartbeatsLeft:#,0})", stored, single.StoredPerSecond,
                "HTTP 1 per request, (b)", "sustained: mqtt-heartbeats at the end ≤ 1 s of load", sustained, "/s"),
            new(scenario, "stored in PostgreSQL/s during the run", stored, batched.StoredPerSecond,
                "HTTP 500 per request, (a)", "—", ok, "/s"),
        ];
    }

    /// <summary>Rows stored for the sensors: the worker raises heartbeat_count with each row it inserts (as the load tool counts).</summary>
    static async Task<long> StoredAsync(NpgsqlDataSource db, long first, long last, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand("SELECT COALESCE(sum(heartbeat_count), 0)::bigint FROM sensor_liveness WHERE sensor_id BETWEEN $1 AND $2");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = first });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = last });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
