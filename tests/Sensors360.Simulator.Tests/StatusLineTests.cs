using static Sensors360.Simulator.Tests.Support.TestFleets;

namespace Sensors360.Simulator.Tests;

public sealed class StatusLineTests
{
    [Fact]
    public void The_line_counts_sensors_by_phase_and_answers_by_status()
    {
        var now = CreatedAt.AddHours(1);
        var fleet = ActiveFleet.Start(FleetOf(
            Sensor(number: 1),
            Sensor(number: 2),
            Sensor(SensorFate.Die, deathAt: now.AddMinutes(-1), number: 3),
            Sensor(SensorFate.Die, deathAt: now.AddMinutes(1), number: 4),
            Sensor(SensorFate.Degrade, degradeStart: now.AddMinutes(-5), deathAt: now.AddHours(2), number: 5),
            Sensor(number: 6)), Options());
        fleet.Sensors[5].Stop();
        var stats = new SimulatorStats();
        for (var i = 0; i < 12_345; i++)
        {
            stats.Record(new HeartbeatOutcome(HeartbeatResult.Accepted, 202));
        }

        stats.Record(new HeartbeatOutcome(HeartbeatResult.Unavailable, 503, TimeSpan.FromSeconds(5), "503 Service Unavailable: broker\ndown"));
        stats.Record(new HeartbeatOutcome(HeartbeatResult.Failed, null, Detail: "Connection refused"));

        var line = StatusLine.Format(fleet, "ignored", stats.Snapshot(), now);

        Assert.Equal(
            "simulator: fleet test01, 6 sensors (3 alive, 1 degrading, 0 flapping-silent, 1 dead, 1 stopped)"
            + " · sent 12,347 · 202: 12,345 · 401: 0 · 403: 0 · 429: 0 · 503: 1 · other: 1 · last error: Connection refused",
            line);
    }

    [Fact]
    public void Before_a_fleet_exists_the_line_says_what_the_simulator_is_doing()
    {
        var stats = new SimulatorStats();
        stats.Record(new HeartbeatOutcome(HeartbeatResult.Rejected, (int)HttpStatusCode.NotFound, Detail: "404 Not Found:\r\nno route"));

        var line = StatusLine.Format(null, "registering fleet 3f9a01 (57/200)", stats.Snapshot(), CreatedAt);

        Assert.Equal(
            "simulator: registering fleet 3f9a01 (57/200) · sent 1 · 202: 0 · 401: 0 · 403: 0 · 429: 0 · 503: 0 · other: 1 · last error: 404 Not Found: no route",
            line);
    }
}
