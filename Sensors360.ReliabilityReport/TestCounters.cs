using System.Globalization;
using System.Text.RegularExpressions;

namespace Sensors360.ReliabilityReport;

/// <summary>What the run's trx counted; a counter the trx does not give is null.</summary>
public sealed partial record TestCounters(int? Passed, int? Failed, int? Total)
{
    public static TestCounters FromTrx(string trx)
    {
        var counters = CountersElement().Match(trx).Value;
        return new(Attribute(counters, "passed"), Attribute(counters, "failed"), Attribute(counters, "total"));
    }

    static int? Attribute(string element, string name) =>
        Regex.Match(element, $"\\b{name}=\"(\\d+)\"") is { Success: true } match
            && int.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var count)
            ? count
            : null;

    [GeneratedRegex("<Counters [^>]*>")]
    private static partial Regex CountersElement();
}
