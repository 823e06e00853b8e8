using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using CsvHelper;

namespace Sensors360.IntegrationTests;

/// <summary>The CSV exports of the sensor list and of a sensor's heartbeats, on the started system.</summary>
[Collection(SensorsAppCollection.Name)]
public sealed class SensorExportTests(SensorsAppFixture fixture)
{
    static async Task<List<string[]>> CsvAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        // Written as it is read from the database: no length known up front.
        Assert.True(response.Headers.TransferEncodingChunked, "the export was not streamed");
        using var reader = new CsvReader(new StringReader(await response.Content.ReadAsStringAsync()), CultureInfo.InvariantCulture);
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.Parser.Record!);
        }
        return rows;
    }

    [Fact]
    public async Task The_sensor_list_exports_with_its_filters_and_order_a_column_per_label_and_formulas_defused()
    {
        await using var api = new SensorsApi(fixture.App);
        var prefix = SensorsApi.UniqueTag("export");
        var (plain, _) = await api.RegisterAsync(prefix + "-b", new { site = "north", rack = "3" });
        var (formula, _) = await api.RegisterAsync(prefix + "-a=1+1", new { site = "=HYPERLINK(\"http://evil\")" });
        using (var timed = await api.Worker.PostAsJsonAsync("/api/sensors", new { tag = prefix + "-c", expectedIntervalSeconds = 60, labels = new { owner = "ops, west" } }))
        {
            Assert.Equal(HttpStatusCode.Created, timed.StatusCode);
        }
        using (var retire = await api.Worker.PostAsJsonAsync($"/api/sensors/{plain}/retire", new { reason = "decommissioned" }))
        {
            Assert.Equal(HttpStatusCode.OK, retire.StatusCode);
        }

        using var response = await api.Worker.GetAsync($"/api/sensors/export?tag={Uri.EscapeDataString(prefix)}&sort=-tag");
        var rows = await CsvAsync(response);

        var header = rows[0];
        Assert.Equal(["id", "tag", "state", "state_since"], header[..4]);
        Assert.Equal(["label:owner", "label:rack", "label:site"], header.Where(h => h.StartsWith("label:")).ToArray());
        Assert.Equal([prefix + "-c", prefix + "-b", prefix + "-a=1+1"], rows[1..].Select(r => r[1]).ToArray());
        string Cell(int row, string column) => rows[row][Array.IndexOf(header, column)];

        Assert.Equal("ops, west", Cell(1, "label:owner"));
        Assert.Equal("60", Cell(1, "expected_interval_seconds"));
        Assert.Equal("", Cell(1, "grace_seconds"));
        Assert.Equal("retired", Cell(2, "state"));
        Assert.Equal("decommissioned", Cell(2, "retirement_reason"));
        Assert.Equal(("3", "north"), (Cell(2, "label:rack"), Cell(2, "label:site")));
        Assert.True(DateTimeOffset.TryParse(Cell(2, "retired_at"), CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
        Assert.Equal(formula.ToString(CultureInfo.InvariantCulture), Cell(3, "id"));
        Assert.Equal("'=HYPERLINK(\"http://evil\")", Cell(3, "label:site"));
        Assert.Equal("", Cell(3, "label:rack"));

        using var filtered = await api.Worker.GetAsync($"/api/sensors/export?tag={Uri.EscapeDataString(prefix)}&state=retired");
        Assert.Equal([plain.ToString(CultureInfo.InvariantCulture)], (await CsvAsync(filtered))[1..].Select(r => r[0]).ToArray());

        using var bad = await api.Worker.GetAsync("/api/sensors/export?state=sleepy&sort=colour");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var errors = (await SensorsApi.JsonAsync(bad)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("state", out _) && errors.TryGetProperty("sort", out _), errors.ToString());
    }

    [Fact]
    public async Task A_sensors_heartbeats_export_every_row_of_the_range_oldest_first_and_bad_ranges_are_refused()
    {
        await using var api = new SensorsApi(fixture.App);
        var (id, _) = await api.RegisterAsync(SensorsApi.UniqueTag("export-hb"));
        var start = SensorsApi.WholeSecond(TimeSpan.FromMinutes(50));
        // 3,000 heartbeats a second apart, more than one flush of the writer.
        await api.ScalarAsync("""
            WITH rows AS (
                INSERT INTO heartbeats (sensor_id, sensor_time, received_at)
                SELECT $1, $2::timestamptz + n * interval '1 s', $2::timestamptz + n * interval '1 s' + interval '20 ms'
                FROM generate_series(0, 2999) AS n
                RETURNING 1)
            SELECT count(*) FROM rows
            """, id, start);

        var from = start.AddSeconds(100);
        var to = start.AddSeconds(2599);
        using var response = await api.Worker.GetAsync(
            $"/api/sensors/{id}/heartbeats/export?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}");
        var rows = await CsvAsync(response);
        Assert.Contains($"sensor-{id}-heartbeats-", response.Content.Headers.ContentDisposition?.FileName);

        Assert.Equal(["sensor_time", "received_at"], rows[0]);
        var times = rows[1..].Select(r => DateTimeOffset.Parse(r[0], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(2500, times.Length);
        Assert.Equal(from, times[0]);
        Assert.Equal(to, times[^1]);
        Assert.Equal(times.Order().ToArray(), times);
        Assert.Equal(from.AddMilliseconds(20), DateTimeOffset.Parse(rows[1][1], CultureInfo.InvariantCulture));

        using var backwards = await api.Worker.GetAsync(
            $"/api/sensors/{id}/heartbeats/export?from={Uri.EscapeDataString(to.ToString("O"))}&to={Uri.EscapeDataString(from.ToString("O"))}");
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.Contains("after", (await SensorsApi.JsonAsync(backwards)).GetProperty("detail").GetString());
        using var unknown = await api.Worker.GetAsync("/api/sensors/987654321/heartbeats/export");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }
}
