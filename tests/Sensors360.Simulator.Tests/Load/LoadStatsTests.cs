using HdrHistogram;

namespace Sensors360.Simulator.Tests.Load;

public sealed class LoadStatsTests
{
    [Fact]
    public void Answers_are_counted_by_status_with_failures_apart_and_only_2xx_heartbeats_accepted()
    {
        var stats = new LoadStats();
        var sender = stats.NewRecorder();

        sender.Record(202, 100, 1_000, 1_000, measured: true);
        sender.Record(202, 100, 2_000, 2_000, measured: true);
        sender.Record(429, 100, 300, 300, measured: true);
        sender.Record(503, 100, 4_000_000, 4_000_000, measured: true);
        sender.Record(400, 100, 500, 500, measured: true);
        sender.Record(LoadRecorder.TransportError, 100, 9_000, 9_000, measured: true);
        sender.Record(LoadRecorder.Timeout, 100, 30_000_000, 30_000_000, measured: true);

        var all = stats.Snapshot().All;
        Assert.Equal(new Dictionary<int, long> { [202] = 2, [400] = 1, [429] = 1, [503] = 1 }, all.ByStatus);
        Assert.Equal((1, 1), (all.TransportErrors, all.Timeouts));
        Assert.Equal((7, 2, 5), (all.Requests, all.Succeeded, all.Failed));
        Assert.Equal((700, 200), (all.Heartbeats, all.AcceptedHeartbeats));
        // Latency is that of answers: a request that got none has no latency to speak of.
        Assert.Equal(5, all.Latency.TotalCount);
        // HdrHistogram keeps 3 significant digits: the top of the bucket holding 4 s.
        Assert.InRange(all.Latency.GetMaxValue(), 4_000_000, 4_004_000);
    }

    [Fact]
    public void The_measured_part_leaves_out_what_completed_outside_it_and_senders_add_up()
    {
        var stats = new LoadStats();
        var first = stats.NewRecorder();
        var second = stats.NewRecorder();

        first.Record(202, 10, 50_000, 50_000, measured: false);
        first.Record(202, 10, 1_000, 1_000, measured: true);
        second.Record(429, 10, 1_000, 1_000, measured: true);
        second.Record(202, 10, 1_000, 1_000, measured: true);

        var snapshot = stats.Snapshot();
        Assert.Equal((4, 30), (snapshot.All.Requests, snapshot.All.AcceptedHeartbeats));
        Assert.Equal((3, 20), (snapshot.Measured.Requests, snapshot.Measured.AcceptedHeartbeats));
        Assert.Equal(1, snapshot.Measured.CountOf(429));
        Assert.Equal(1_000, snapshot.Measured.Latency.GetMaxValue());
        Assert.InRange(snapshot.All.Latency.GetMaxValue(), 50_000, 50_050);
    }

    [Fact]
    public void Only_the_first_example_of_each_kind_of_error_is_kept()
    {
        var stats = new LoadStats();

        Assert.True(stats.WantsSample("429"));
        stats.Sample("429", "first");
        stats.Sample("429", "second");
        stats.Sample(LoadStats.KindOf(LoadRecorder.TransportError), "refused");

        Assert.False(stats.WantsSample("429"));
        Assert.Equal(new Dictionary<string, string> { ["429"] = "first", ["transport"] = "refused" }, stats.ErrorSamples);
    }
}
