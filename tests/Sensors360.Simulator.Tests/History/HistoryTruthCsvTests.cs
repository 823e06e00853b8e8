using Sensors360.History;

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
        Assert.Equal(HistoryTruthCsv.Format([Degrading, Sudden]), File.ReadAllText(path));
        Assert.Equal((byte)'s', File.ReadAllBytes(path)[0]);
    }

    [Fact]
    public void A_tag_with_commas_quotes_or_a_line_break_is_quoted_and_read_back()
    {
        HistoryTruthRow[] rows = [Sudden with { Tag = "pump, west" }, Sudden with { Tag = "the \"old\" one" }, Sudden with { Tag = "two\nlines" }];

        var csv = HistoryTruthCsv.Format(rows);

        Assert.Contains("\n9,\"pump, west\",4,", csv);
        Assert.Contains("\n9,\"the \"\"old\"\" one\",4,", csv);
        Assert.Equal(rows, HistoryTruthCsv.Parse(csv));
    }

    [Fact]
    public void A_file_with_crlf_line_endings_and_blank_lines_is_read()
    {
        var csv = HistoryTruthCsv.Format([Sudden]).ReplaceLineEndings("\r\n") + "\r\n";

        Assert.Equal([Sudden], HistoryTruthCsv.Parse(csv));
    }

    [Theory]
    [InlineData("1,x,3,2025-01-01T00:00:00Z,nonsense,sudden,,,60,false", "Line 3: death_at is 'nonsense', expected a UTC time to the second like 2025-01-31T00:00:00Z.")]
    [InlineData("1,x,3,2025-01-01T00:00:00Z,,sudden,,,60,false", "Line 3: death_at is empty, expected a UTC time to the second like 2025-01-31T00:00:00Z.")]
    [InlineData("1,x,3,2025-01-01T00:00:00Z,2025-02-01T00:00:00+01:00,sudden,,,60,false", "Line 3: death_at is '2025-02-01T00:00:00+01:00', expected a UTC time")]
    [InlineData("1,x,3,2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,sideways,,,60,false", "Line 3: failure is 'sideways', expected sudden or degrading.")]
    [InlineData("1,x,3,2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,sudden,,,60,yes", "Line 3: flapping is 'yes', expected true or false.")]
    [InlineData("1,x,three,2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,sudden,,,60,false", "Line 3: slot is 'three', expected a whole number.")]
    [InlineData("1,x,3,2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,sudden,,,60", "Line 3: 9 fields, expected 10.")]
    [InlineData("1,x,3,2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,sudden,,,60,false,extra", "Line 3: 11 fields, expected 10.")]
    [InlineData("1,x\"y,3,2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,sudden,,,60,false", "Line 3: a quote inside an unquoted field")]
    public void A_bad_row_is_refused_naming_its_line_and_what_is_wrong(string bad, string message)
    {
        var csv = HistoryTruthCsv.Format([Sudden]) + bad + "\n" + HistoryTruthCsv.Format([Degrading]).Split('\n')[1] + "\n";

        var error = Assert.Throws<FormatException>(() => HistoryTruthCsv.Parse(csv));

        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void A_bad_row_after_a_tag_on_two_lines_is_named_by_its_own_line()
    {
        var csv = HistoryTruthCsv.Format([Sudden with { Tag = "two\nlines" }]) + "1,x,3\n";

        var error = Assert.Throws<FormatException>(() => HistoryTruthCsv.Parse(csv));

        Assert.Equal("Line 4: 3 fields, expected 10.", error.Message);
    }

    [Fact]
    public void A_quote_left_open_is_reported_on_the_line_where_it_opens()
    {
        var csv = HistoryTruthCsv.Format([Sudden]) + "1,\"x,3,2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,sudden,,,60,false\n" + HistoryTruthCsv.Format([Sudden]).Split('\n')[1] + "\n";

        var error = Assert.Throws<FormatException>(() => HistoryTruthCsv.Parse(csv));

        Assert.StartsWith("Line 3: ", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_history_truth_file_is_refused()
    {
        var header = Assert.Throws<FormatException>(() => HistoryTruthCsv.Parse("sensor_id,tag,fate\n1,x,die\n"));
        Assert.Equal($"Not a history truth file: the header is 'sensor_id,tag,fate', expected '{HistoryTruthCsv.Header}'.", header.Message);
        Assert.Throws<FormatException>(() => HistoryTruthCsv.Parse(""));
        Assert.Throws<FormatException>(() => HistoryTruthCsv.Parse("sensor_id,t\"ag\n"));
        var error = Assert.Throws<FormatException>(() => HistoryTruthCsv.Parse(HistoryTruthCsv.Header + "\n1,x,3,2025-01-01T00:00:00Z,nonsense,sudden,,,60,false\n"));
        Assert.Contains("Line 2", error.Message);
    }
}
