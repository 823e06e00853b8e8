using Sensors360.ReliabilityReport;

namespace Sensors360.IntegrationTests.Reliability;

public sealed class ReliabilityInputsTests
{
    [Fact]
    public void Results_are_read_as_the_Reliability_tests_write_them_in_order_skipping_blank_lines()
    {
        var results = ScenarioResult.ReadLines("""
            {"scenario":"Monitor.Worker SIGKILLed","expected":"stored once","measured":"4 clients × 100","accepted":22710,"lost":0,"duplicated":0,"met":true,"at":"2026-12-04T15:37:55.29+00:00"}

            {"scenario":"Setting: publisher confirms","expected":"202 after the confirm","measured":"confirm mode","accepted":null,"lost":null,"duplicated":null,"met":false,"at":"2026-12-04T15:38:02.63+00:00"}

            """);

        Assert.Equal(
            [
                new ScenarioResult("Monitor.Worker SIGKILLed", "stored once", "4 clients × 100", 22_710, 0, 0, Met: true),
                new ScenarioResult("Setting: publisher confirms", "202 after the confirm", "confirm mode", Met: false),
            ],
            results);
        Assert.Equal([false, true], results.Select(r => r.IsSetting));
    }

    [Fact]
    public void A_result_that_does_not_say_it_was_met_was_not()
    {
        Assert.False(ScenarioResult.ReadLines("""{"scenario":"RabbitMQ stopped"}""").Single().Met);
    }

    [Fact]
    public void A_result_without_a_scenario_is_rejected_with_its_line_number()
    {
        var error = Assert.Throws<FormatException>(() => ScenarioResult.ReadLines("{\"scenario\":\"a\"}\n{\"expected\":\"b\"}\n"));

        Assert.StartsWith("line 2:", error.Message);
    }

    [Fact]
    public void The_counters_are_read_from_the_trx_summary()
    {
        const string trx = """
            <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
              <ResultSummary outcome="Failed">
                <Counters total="9" executed="9" passed="8" failed="1" error="0" passedButRunAborted="0" notExecuted="0" />
              </ResultSummary>
            </TestRun>
            """;

        Assert.Equal(new TestCounters(8, 1, 9), TestCounters.FromTrx(trx));
    }

    [Fact]
    public void A_trx_without_counters_gives_none()
    {
        Assert.Equal(new TestCounters(null, null, null), TestCounters.FromTrx("<TestRun />"));
    }

    [Fact]
    public void A_result_written_by_the_scenarios_reads_back_whole()
    {
        var written = new ScenarioResult("PostgreSQL stopped 20 s", "lost 0", "lost 0, 1,204 ms", Accepted: 5_000, Lost: 0, Duplicated: 0, Met: true);

        var read = Assert.Single(ScenarioResult.ReadLines(written.ToJsonLine() + "\n"));

        Assert.Equal(written, read);
        Assert.DoesNotContain("\n", written.ToJsonLine());
    }
}
