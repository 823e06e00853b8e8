using Sensors360.History;
using Sensors360.Simulator.Tests.Support;

namespace Sensors360.Simulator.Tests.History;

public sealed class HistoryTruthCsvTests
{
    private static readonly HistoryTruthRow Degrading = new(
        7, "hist-42-0003-2", 3, new DateTimeOffset(2025, 1, 2, 3, 4, 5, 600, TimeSpan.Zero), new DateTimeOffset(2026, 10, 1, 12, 0, 0, TimeSpan.FromHours(2)),
        HistoryFailure.Degrading, new DateTimeOffset(2026, 9, 25, 8, 30, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 3, 0, 0, 0, TimeSpan.Zero), 412, false);

    private static readonly HistoryTruthRow Sudden = new(
        9, "hist-42-0004-1", 4, new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 2, 1, 0, 0, 0, TimeSpan.Zero),
        HistoryFailure.Sudden, null, null, 900, true);

    [Fact]
    public void Each_sensor_is_one_row_in_utc_to_the_second_with_empty_fields_for_what_did_not_happen()
    {
        var csv = HistoryTruthCsv.Format([Degrading, Sudden]);

        Assert.Equal(
            """
            sensor_id,tag,slot,installed_at,death_at,failure,degrade_start,retired_at,interval_seconds,flapping
            7,hist-42-0003-2,3,2025-01-02T03:04:05Z,2026-10-01T10:00:00Z,degrading,2026-09-25T08:30:00Z,2026-10-03T00:00:00Z,412,false
            9,hist-42-0004-1,4,2025-06-01T00:00:00Z,2027-02-01T00:00:00Z,sudden,,,900,true

            """.ReplaceLineEndings("\n"),
            csv);
    }

    [Fact]
    public void The_reader_gives_back_what_was_written()
    {
        using var temp = new TempDirectory();
        var directory = Path.Combine(temp.Path, "backtest");

        var path = HistoryTruthCsv.Write(directory, [Degrading, Sudden]);
        var rows = HistoryTruthCsv.Read(path);

        Assert.Equal(Path.Combine(directory, "history-truth.csv"), path);
        Assert.Equal([Degrading with { InstalledAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero) }, Sudden], rows);
        Assert.Single(Directory.GetFiles(directory));
    }

    [Fact]
    public void A_file_that_is_not_a_history_truth_file_is_refused()
    {
        Assert.Throws<FormatException>(() => HistoryTruthCsv.Parse("sensor_id,tag,fate\n1,x,die\n"));
        var error = Assert.Throws<FormatException>(() => HistoryTruthCsv.Parse(HistoryTruthCsv.Header + "\n1,x,3,2025-01-01T00:00:00Z,nonsense,sudden,,,60,false\n"));
        Assert.Contains("Line 2", error.Message);
    }
}
