using System.Text.Json;
using Sensors360.Monitoring.Model;

namespace Monitor.Worker.Registry;

/// <summary>
/// A JSON merge patch (RFC 7396) of a sensor's editable fields: a field left out keeps its value, a timing set to
/// null goes back to the global default, <c>labels</c> replaces the whole set (null clears it).
/// </summary>
public sealed class SensorEdit
{
    public const string MergePatchMediaType = "application/merge-patch+json";

    static readonly string[] Fields = ["tag", "labels", "expectedIntervalSeconds", "graceSeconds", "staleAfterSeconds"];

    readonly Dictionary<string, JsonElement> _fields;

    SensorEdit(Dictionary<string, JsonElement> fields) => _fields = fields;

    /// <summary>Reads the patch; errors are field → messages, as in a validation problem.</summary>
    public static SensorEdit? Parse(JsonElement body, out Dictionary<string, string[]> errors)
    {
        errors = [];
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors[""] = ["The body must be a JSON object of the fields to change: " + string.Join(", ", Fields) + "."];
            return null;
        }

        var fields = new Dictionary<string, JsonElement>();
        foreach (var property in body.EnumerateObject())
        {
            var name = Fields.FirstOrDefault(f => string.Equals(f, property.Name, StringComparison.OrdinalIgnoreCase));
            if (name is null)
            {
                errors[property.Name] = [$"'{property.Name}' cannot be edited; the fields are {string.Join(", ", Fields)}."];
            }
            else if (!fields.TryAdd(name, property.Value))
            {
                errors[name] = [$"'{name}' is given twice."];
            }
        }

        Check(errors, fields, "tag", v => v.ValueKind == JsonValueKind.String, "a string");
        Check(errors, fields, "labels", v => v.ValueKind is JsonValueKind.Null
            || v.ValueKind == JsonValueKind.Object && v.EnumerateObject().All(l => l.Value.ValueKind == JsonValueKind.String)
                && v.EnumerateObject().DistinctBy(l => l.Name).Count() == v.EnumerateObject().Count(),
            "an object of string values (each key once), or null");
        foreach (var timing in Fields[2..])
        {
            Check(errors, fields, timing, v => v.ValueKind is JsonValueKind.Null || v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out _), "a whole number of seconds, or null for the default");
        }
        return errors.Count == 0 ? new SensorEdit(fields) : null;
    }

    static void Check(Dictionary<string, string[]> errors, Dictionary<string, JsonElement> fields, string name, Func<JsonElement, bool> valid, string expected)
    {
        if (fields.TryGetValue(name, out var value) && !valid(value))
        {
            errors[name] = [$"'{name}' must be {expected}."];
        }
    }

    public bool ChangesTag => _fields.ContainsKey("tag");

    /// <summary>The sensor as it would be after the patch, in the registration request's shape (validated the same way).</summary>
    public RegisterSensorRequest Apply(Sensor sensor) => new(
        _fields.TryGetValue("tag", out var tag) ? tag.GetString() : sensor.Tag,
        _fields.TryGetValue("labels", out var labels)
            ? labels.ValueKind == JsonValueKind.Null ? [] : labels.EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString()!)
            : new Dictionary<string, string>(sensor.Labels),
        Seconds("expectedIntervalSeconds", sensor.ExpectedInterval),
        Seconds("graceSeconds", sensor.Grace),
        Seconds("staleAfterSeconds", sensor.StaleAfter));

    /// <summary>The editable fields' values (timings in seconds, null = the default), for the audit log.</summary>
    public static Dictionary<string, object?> Editable(Sensor sensor) => new()
    {
        ["tag"] = sensor.Tag,
        ["labels"] = new SortedDictionary<string, string>(sensor.Labels.ToDictionary(), StringComparer.Ordinal),
        ["expectedIntervalSeconds"] = sensor.ExpectedInterval?.TotalSeconds,
        ["graceSeconds"] = sensor.Grace?.TotalSeconds,
        ["staleAfterSeconds"] = sensor.StaleAfter?.TotalSeconds,
    };

    /// <summary>Each field that differs, as {"from": …, "to": …}.</summary>
    public static Dictionary<string, object> Changes(Dictionary<string, object?> before, Dictionary<string, object?> after) =>
        before.Where(b => JsonSerializer.Serialize(b.Value) != JsonSerializer.Serialize(after[b.Key]))
            .ToDictionary(b => b.Key, b => (object)new { from = b.Value, to = after[b.Key] });

    int? Seconds(string field, TimeSpan? current) => _fields.TryGetValue(field, out var value)
        ? value.ValueKind == JsonValueKind.Null ? null : value.GetInt32()
        : current is { } c ? (int)c.TotalSeconds : null;
}
