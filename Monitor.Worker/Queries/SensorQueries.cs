using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Monitor.Worker.Queries;

public sealed record SensorListItem(
    long Id, string Tag, IReadOnlyDictionary<string, string> Labels, string State, DateTimeOffset StateSince,
    DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt, DateTimeOffset? FirstHeartbeatAt, DateTimeOffset? LastHeartbeatAt,
    DateTimeOffset? LastReceivedAt, long HeartbeatCount, double? MeanIntervalSeconds);

/// <param name="Next">Pass as <c>after</c> for the next page; null on the last page.</param>
public sealed record SensorPage(IReadOnlyList<SensorListItem> Items, string? Next);

/// <summary>The sort orders the sensor list supports, each backed by an index on (key, id).</summary>
public sealed record SensorSort(string Name, string Expression, bool Descending, SortKeyKind Kind)
{
    static readonly SensorSort[] All =
    [
        new("id", "id", false, SortKeyKind.None),
        // Byte order (collation "C"): the same on every server, and it lets a tag prefix use the index.
        new("tag", "(tag COLLATE \"C\")", false, SortKeyKind.Text),
        new("lastHeartbeat", "COALESCE(last_received_at, '-infinity'::timestamptz)", false, SortKeyKind.Time),
    ];

    public static string Names => string.Join(", ", All.SelectMany(s => new[] { s.Name, "-" + s.Name }));

    public static SensorSort? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return All[0];
        }
        var descending = value.StartsWith('-');
        var name = descending ? value[1..] : value;
        return All.FirstOrDefault(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } sort
            ? sort with { Descending = descending }
            : null;
    }
}

public enum SortKeyKind { None, Text, Time }

/// <summary>An opaque keyset cursor: the last row's sort key and id, base64url-encoded JSON.</summary>
public sealed record SensorCursor(string? Key, long Id)
{
    public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this));

    /// <summary>
    /// Whether this cursor can continue a list sorted by a key of <paramref name="kind"/>: a time key must be a time and a
    /// text key cannot hold NUL, which PostgreSQL text refuses. A cursor is opaque but comes from the client, so it may be forged.
    /// </summary>
    public bool Continues(SortKeyKind kind) => Key is null || kind switch
    {
        SortKeyKind.Time => DateTimeOffset.TryParse(Key, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        SortKeyKind.Text => !Key.Contains('\0'),
        _ => true,
    };

    public static SensorCursor? Decode(string value)
    {
        try
        {
            return JsonSerializer.Deserialize<SensorCursor>(Base64Url.DecodeFromChars(value));
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}

/// <summary>Builds the list query from validated filters; values are always parameters, never spliced.</summary>
public static class SensorListSql
{
    /// <summary>
    /// Every string that starts with <paramref name="prefix"/> sorts, in byte order, at or after it and before it
    /// followed by the highest code point: a range a B-tree can seek, where LIKE alone cannot under a UTF-8 collation.
    /// </summary>
    public static string PrefixUpperBound(string prefix) => prefix + char.ConvertFromUtf32(0x10FFFF);

    public static string EscapeLike(string prefix)
    {
        var escaped = new StringBuilder(prefix.Length);
        foreach (var c in prefix)
        {
            if (c is '%' or '_' or '\\')
            {
                escaped.Append('\\');
            }
            escaped.Append(c);
        }
        return escaped.Append('%').ToString();
    }
}
