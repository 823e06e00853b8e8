using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Ingestion.Api.Heartbeats;

/// <summary>One validated heartbeat. <see cref="SensorTime"/> is always in UTC (offset zero).</summary>
public sealed record ParsedHeartbeat(long SensorId, DateTimeOffset SensorTime);

/// <summary>Why a request was refused, shaped for an RFC 9457 problem details response.</summary>
/// <param name="ItemIndex">Zero-based index of the offending heartbeat; <see langword="null"/> for body-level and query-string errors.</param>
public sealed record HeartbeatRejection(int StatusCode, string Title, string Detail, int? ItemIndex);

/// <param name="MaxItems">Largest accepted batch; a larger one is refused with 413.</param>
/// <param name="MaxFutureSkew">How far ahead of the server clock a timestamp may be; 5 minutes when null.</param>
/// <param name="Retention">How old a timestamp may be; 90 days when null.</param>
public sealed record HeartbeatLimits(int MaxItems = 10_000, TimeSpan? MaxFutureSkew = null, TimeSpan? Retention = null)
{
    public static TimeSpan DefaultMaxFutureSkew { get; } = TimeSpan.FromMinutes(5);

    public static TimeSpan DefaultRetention { get; } = TimeSpan.FromDays(90);

    public TimeSpan EffectiveMaxFutureSkew => MaxFutureSkew ?? DefaultMaxFutureSkew;

    public TimeSpan EffectiveRetention => Retention ?? DefaultRetention;
}

/// <summary>Exactly one of <see cref="Items"/> (1..MaxItems heartbeats) and <see cref="Rejection"/> is set.</summary>
public sealed record HeartbeatParseResult(IReadOnlyList<ParsedHeartbeat>? Items, HeartbeatRejection? Rejection)
{
    [MemberNotNullWhen(true, nameof(Items))]
    [MemberNotNullWhen(false, nameof(Rejection))]
    public bool IsValid => Rejection is null;
}

/// <summary>The problem titles the parser uses; one per kind of problem, as RFC 9457 recommends.</summary>
public static class HeartbeatProblemTitles
{
    public const string MalformedJson = "Malformed JSON";
    public const string EmptyBatch = "Empty batch";
    public const string TooManyHeartbeats = "Too many heartbeats";
    public const string InvalidHeartbeat = "Invalid heartbeat";
    public const string UnprocessableHeartbeat = "Unprocessable heartbeat";
}

/// <summary>
/// Parses and validates heartbeat requests without touching HTTP or messaging. Never throws for any body or query
/// value; only invalid <see cref="HeartbeatLimits"/> (a programming error) throw.
/// </summary>
/// <remarks>
/// Precedence when a body has several problems: 413 as soon as the item count exceeds the limit, then the first
/// 400 (malformed or invalid), and a 422 only for a body that is otherwise entirely well-formed, because 422 means
/// "understood, but refused".
/// </remarks>
public static class HeartbeatParser
{
    // Plain numbers rather than ASP.NET Core's StatusCodes: this type stays free of any HTTP dependency.
    private const int Status400BadRequest = 400;
    private const int Status413PayloadTooLarge = 413;
    private const int Status422UnprocessableEntity = 422;

    private const int MaxPreSizedItems = 1024;

    // A compact item ({"sensorId":42,"timestamp":1795860000},) is 39 bytes and typical ones are longer, so dividing
    // the body length by 40 rarely under-sizes the list; the 1024 cap bounds what whitespace padding can make us
    // allocate up front.
    private const int EstimatedBytesPerItem = 40;

    // Longest escaped spelling of "sensorId"/"timestamp" is 9 × "\uXXXX" = 54 bytes; longer names cannot match.
    private const int MaxEscapedKnownNameLength = 64;

    // System.Text.Json refuses to parse date strings longer than this (42 characters, each escaped as "\uXXXX").
    private const int MaxEscapedDateLength = 252;

    private const int MaxEchoedLength = 40;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    private enum KnownProperty
    {
        Other,
        SensorId,
        Timestamp,
    }

    public static HeartbeatParseResult ParseJson(ReadOnlySpan<byte> body, DateTimeOffset now, HeartbeatLimits limits)
    {
        ValidateLimits(limits);

        // Tolerated because some clients (notably on Windows) prefix a BOM; Utf8JsonReader itself rejects it.
        var bomLength = body.StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        var json = body[bomLength..];

        // RFC 8259 requires UTF-8. The reader does not validate string contents, so check the whole body once
        // (vectorised, far cheaper than parsing) instead of failing later or silently accepting broken text.
        if (!Utf8.IsValid(json))
        {
            return Rejected(Malformed(body, bomLength + IndexOfInvalidUtf8(json), "the body is not valid UTF-8."));
        }

        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            return ParseDocument(ref reader, body, bomLength, now, limits);
        }
        catch (JsonException exception)
        {
            return Rejected(Malformed(body, ErrorOffset(json, exception) + bomLength, ReasonOf(exception)));
        }
        catch (InvalidOperationException)
        {
            // Only reachable through escaped strings that decode to invalid UTF-16 (lone surrogates).
            return Rejected(Malformed(
                body, bomLength + reader.TokenStartIndex, "a string contains an escaped invalid Unicode sequence."));
        }
    }

    public static HeartbeatParseResult ParseLegacy(
        string? sensorId, string? timestamp, DateTimeOffset now, HeartbeatLimits limits)
    {
        ValidateLimits(limits);

        if (string.IsNullOrEmpty(sensorId))
        {
            return Rejected(Invalid(null, "Query parameter 'sensor_id' is required."));
        }

        if (!long.TryParse(sensorId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 1)
        {
            return Rejected(Invalid(
                null,
                $"Query parameter 'sensor_id' must be a positive integer (1 to {long.MaxValue}), "
                + $"but was '{Echo(sensorId)}'."));
        }

        if (string.IsNullOrEmpty(timestamp))
        {
            return Rejected(Invalid(null, "Query parameter 'timestamp' is required."));
        }

        if (!IsPlainDecimal(timestamp))
        {
            return Rejected(Invalid(
                null,
                "Query parameter 'timestamp' must be Unix epoch seconds such as 1795860000 or 1795860000.5 "
                + $"(milliseconds from {HeartbeatTimestamp.MillisecondsThreshold} on), but was '{Echo(timestamp)}'."));
        }

        if (!TryConvertEpoch(timestamp, out var sensorTime))
        {
            return Rejected(Invalid(
                null, $"Query parameter 'timestamp' {Echo(timestamp)} is outside the supported date range (years 1 to 9999)."));
        }

        if (HeartbeatTimestamp.DescribeWindowViolation(sensorTime, now, limits) is { } violation)
        {
            return Rejected(Unprocessable(null, "Query parameter " + violation));
        }

        return new HeartbeatParseResult([new ParsedHeartbeat(id, sensorTime)], null);
    }

    private static HeartbeatParseResult ParseDocument(
        ref Utf8JsonReader reader, ReadOnlySpan<byte> body, int bomLength, DateTimeOffset now, HeartbeatLimits limits)
    {
        Advance(ref reader);
        HashSet<string>? otherNames = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                {
                    if (ReadItem(ref reader, 0, ref otherNames, out var sensorId, out var sensorTime) is { } invalid)
                    {
                        return Rejected(invalid);
                    }

                    ExpectEndOfBody(ref reader);
                    if (HeartbeatTimestamp.DescribeWindowViolation(sensorTime, now, limits) is { } violation)
                    {
                        return Rejected(Unprocessable(0, ItemPrefix(0) + violation));
                    }

                    return new HeartbeatParseResult([new ParsedHeartbeat(sensorId, sensorTime)], null);
                }

            case JsonTokenType.StartArray:
                return ParseBatch(ref reader, body, bomLength, now, limits);

            default:
                return Rejected(Malformed(
                    body,
                    bomLength + reader.TokenStartIndex,
                    $"the body must be a heartbeat object or an array of them, but is {Describe(ref reader)}."));
        }
    }

    private static HeartbeatParseResult ParseBatch(
        ref Utf8JsonReader reader, ReadOnlySpan<byte> body, int bomLength, DateTimeOffset now, HeartbeatLimits limits)
    {
        var items = new List<ParsedHeartbeat>(
            Math.Clamp(body.Length / EstimatedBytesPerItem, 1, Math.Min(MaxPreSizedItems, limits.MaxItems)));
        HashSet<string>? otherNames = null;
        HeartbeatRejection? firstUnprocessable = null;
        var index = 0;
        while (true)
        {
            Advance(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                break;
            }

            if (index == limits.MaxItems)
            {
                return Rejected(new HeartbeatRejection(
                    Status413PayloadTooLarge,
                    HeartbeatProblemTitles.TooManyHeartbeats,
                    $"The batch holds more than {limits.MaxItems} heartbeats; at most {limits.MaxItems} are accepted "
                    + "per request. Split it into smaller batches.",
                    null));
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return Rejected(Malformed(
                    body,
                    bomLength + reader.TokenStartIndex,
                    $"item {index} must be a heartbeat object, but is {Describe(ref reader)}.",
                    index));
            }

            if (ReadItem(ref reader, index, ref otherNames, out var sensorId, out var sensorTime) is { } invalid)
            {
                return Rejected(invalid);
            }

            // After the first 422 the rest is still read, to report any 400 or 413 first, but no longer collected.
            if (firstUnprocessable is null)
            {
                if (HeartbeatTimestamp.DescribeWindowViolation(sensorTime, now, limits) is { } violation)
                {
                    firstUnprocessable = Unprocessable(index, ItemPrefix(index) + violation);
                }
                else
                {
                    items.Add(new ParsedHeartbeat(sensorId, sensorTime));
                }
            }

            index++;
        }

        ExpectEndOfBody(ref reader);
        if (index == 0)
        {
            return Rejected(new HeartbeatRejection(
                Status400BadRequest,
                HeartbeatProblemTitles.EmptyBatch,
                $"The batch is empty; send between 1 and {limits.MaxItems} heartbeats.",
                null));
        }

        return firstUnprocessable is null ? new HeartbeatParseResult(items, null) : Rejected(firstUnprocessable);
    }

    /// <summary>Reads one object, positioned on its StartObject, up to and including its EndObject.</summary>
    private static HeartbeatRejection? ReadItem(
        ref Utf8JsonReader reader,
        int index,
        ref HashSet<string>? otherNames,
        out long sensorId,
        out DateTimeOffset sensorTime)
    {
        sensorId = 0;
        sensorTime = default;
        var hasSensorId = false;
        var hasTimestamp = false;
        if (otherNames is { Count: > 0 })
        {
            otherNames.Clear();
        }

        while (true)
        {
            Advance(ref reader);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            // Inside an object the reader only yields property names here; anything else is a syntax error it throws.
            switch (Identify(ref reader))
            {
                case KnownProperty.SensorId:
                    if (hasSensorId)
                    {
                        return Duplicate(index, "sensorId");
                    }

                    hasSensorId = true;
                    Advance(ref reader);
                    if (ReadSensorId(ref reader, index, out sensorId) is { } invalidSensorId)
                    {
                        return invalidSensorId;
                    }

                    break;

                case KnownProperty.Timestamp:
                    if (hasTimestamp)
                    {
                        return Duplicate(index, "timestamp");
                    }

                    hasTimestamp = true;
                    Advance(ref reader);
                    if (ReadTimestamp(ref reader, index, out sensorTime) is { } invalidTimestamp)
                    {
                        return invalidTimestamp;
                    }

                    break;

                default:
                    // Unknown properties are ignored, but a repeated one is as ambiguous as a repeated known one.
                    // Names are materialised only here, off the documented fast path.
                    otherNames ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                    var name = reader.GetString()!;
                    if (!otherNames.Add(name))
                    {
                        return Duplicate(index, Echo(name));
                    }

                    Advance(ref reader);
                    reader.Skip();
                    break;
            }
        }

        if (!hasSensorId)
        {
            return Invalid(index, ItemPrefix(index) + "the required property 'sensorId' is missing.");
        }

        if (!hasTimestamp)
        {
            return Invalid(index, ItemPrefix(index) + "the required property 'timestamp' is missing.");
        }

        return null;
    }

    private static HeartbeatRejection? ReadSensorId(ref Utf8JsonReader reader, int index, out long sensorId)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            sensorId = 0;
            return Invalid(index, $"{ItemPrefix(index)}'sensorId' must be a JSON integer, but is {Describe(ref reader)}.");
        }

        if (reader.TryGetInt64(out sensorId))
        {
            return sensorId >= 1
                ? null
                : Invalid(index, $"{ItemPrefix(index)}'sensorId' must be a positive integer (1 to {long.MaxValue}), but is {sensorId}.");
        }

        var literal = Echo(reader.ValueSpan);
        return reader.ValueSpan.IndexOfAny(".eE"u8) >= 0
            ? Invalid(index, $"{ItemPrefix(index)}'sensorId' must be an integer, but is the number {literal}.")
            : Invalid(index, $"{ItemPrefix(index)}'sensorId' {literal} is out of range; it must be between 1 and {long.MaxValue}.");
    }

    private static HeartbeatRejection? ReadTimestamp(ref Utf8JsonReader reader, int index, out DateTimeOffset sensorTime)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                if (!reader.TryGetDateTimeOffset(out sensorTime))
                {
                    return Invalid(
                        index,
                        $"{ItemPrefix(index)}'timestamp' \"{Echo(reader.ValueSpan)}\" is not an ISO-8601 date-time such as "
                        + "\"2026-11-28T10:00:00Z\"; Unix epoch seconds or milliseconds must be sent as a JSON number.");
                }

                if (!HasExplicitOffset(ref reader))
                {
                    return Invalid(
                        index,
                        $"{ItemPrefix(index)}'timestamp' \"{Echo(reader.ValueSpan)}\" has no UTC offset, so the instant is "
                        + "ambiguous; the offset is required: end it with 'Z' or an offset such as '+02:00'.");
                }

                // Downstream storage (PostgreSQL timestamptz via Npgsql) only accepts offset zero.
                sensorTime = sensorTime.ToUniversalTime();
                return null;

            case JsonTokenType.Number:
                return TryConvertEpoch(ref reader, out sensorTime)
                    ? null
                    : Invalid(
                        index,
                        $"{ItemPrefix(index)}'timestamp' {Echo(reader.ValueSpan)} is outside the supported date range "
                        + "(years 1 to 9999) as Unix epoch seconds or milliseconds.");

            default:
                sensorTime = default;
                return Invalid(
                    index,
                    $"{ItemPrefix(index)}'timestamp' must be an ISO-8601 string or a Unix epoch number, "
                    + $"but is {Describe(ref reader)}.");
        }
    }

    private static KnownProperty Identify(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? IdentifyEscaped(ref reader) : Identify(reader.ValueSpan);

    private static KnownProperty IdentifyEscaped(ref Utf8JsonReader reader)
    {
        if (reader.ValueSpan.Length > MaxEscapedKnownNameLength)
        {
            return KnownProperty.Other;
        }

        Span<byte> name = stackalloc byte[MaxEscapedKnownNameLength];
        return Identify(name[..reader.CopyString(name)]);
    }

    private static KnownProperty Identify(ReadOnlySpan<byte> name)
    {
        if (Ascii.EqualsIgnoreCase(name, "sensorId"u8))
        {
            return KnownProperty.SensorId;
        }

        return Ascii.EqualsIgnoreCase(name, "timestamp"u8) ? KnownProperty.Timestamp : KnownProperty.Other;
    }

    /// <summary>
    /// The reader's ISO-8601 parser reads a date-time without offset as local time; we require the offset.
    /// Called only after a successful TryGetDateTimeOffset, so the text starts with the 10-byte "yyyy-MM-dd" and
    /// any later 'Z', '+' or '-' can only be the offset.
    /// </summary>
    private static bool HasExplicitOffset(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return HasExplicitOffset(reader.ValueSpan);
        }

        if (reader.ValueSpan.Length > MaxEscapedDateLength)
        {
            return false;
        }

        Span<byte> text = stackalloc byte[MaxEscapedDateLength];
        return HasExplicitOffset(text[..reader.CopyString(text)]);
    }

    private static bool HasExplicitOffset(ReadOnlySpan<byte> text) => text.Length > 10 && text[10..].IndexOfAny("Zz+-"u8) >= 0;

    private static void Advance(ref Utf8JsonReader reader)
    {
        // With isFinalBlock the reader throws on truncated input itself; this only guards against a silent false.
        if (!reader.Read())
        {
            throw new JsonException("The body ends unexpectedly.");
        }
    }

    private static void ExpectEndOfBody(ref Utf8JsonReader reader)
    {
        // The reader throws on anything but whitespace after the top-level value.
        if (reader.Read())
        {
            throw new JsonException("Unexpected content after the top-level value.");
        }
    }

    private static void ValidateLimits(HeartbeatLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxItems, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.EffectiveMaxFutureSkew, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.EffectiveRetention, TimeSpan.Zero);
    }

    private static bool TryConvertEpoch(ref Utf8JsonReader reader, out DateTimeOffset timestamp)
    {
        // Integers (the common case) avoid decimal arithmetic; TryGetInt64 fails for fractions, exponents and overflow.
        if (reader.TryGetInt64(out var whole))
        {
            return HeartbeatTimestamp.TryFromUnixEpoch(whole, out timestamp);
        }

        if (reader.TryGetDecimal(out var fractional))
        {
            return HeartbeatTimestamp.TryFromUnixEpoch(fractional, out timestamp);
        }

        timestamp = default;
        return false;
    }

    private static bool TryConvertEpoch(string text, out DateTimeOffset timestamp)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
        {
            return HeartbeatTimestamp.TryFromUnixEpoch(whole, out timestamp);
        }

        const NumberStyles fractionalStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;
        if (decimal.TryParse(text, fractionalStyle, CultureInfo.InvariantCulture, out var fractional))
        {
            return HeartbeatTimestamp.TryFromUnixEpoch(fractional, out timestamp);
        }

        timestamp = default;
        return false;
    }

    /// <summary>-?digits(.digits)? — what the legacy endpoint has always documented; no exponent, sign or spaces.</summary>
    private static bool IsPlainDecimal(ReadOnlySpan<char> text)
    {
        if (text.StartsWith('-'))
        {
            text = text[1..];
        }

        var point = text.IndexOf('.');
        var integral = point < 0 ? text : text[..point];
        var fraction = point < 0 ? "0" : text[(point + 1)..];
        return integral.Length > 0 && fraction.Length > 0
            && !integral.ContainsAnyExceptInRange('0', '9') && !fraction.ContainsAnyExceptInRange('0', '9');
    }

    private static string ItemPrefix(int index) => $"Item {index}: ";

    private static HeartbeatParseResult Rejected(HeartbeatRejection rejection) => new(null, rejection);

    private static HeartbeatRejection Invalid(int? index, string detail) =>
        new(Status400BadRequest, HeartbeatProblemTitles.InvalidHeartbeat, detail, index);

    private static HeartbeatRejection Duplicate(int index, string property) =>
        Invalid(index, $"{ItemPrefix(index)}the property '{property}' appears more than once (names are case-insensitive).");

    private static HeartbeatRejection Unprocessable(int? index, string detail) =>
        new(Status422UnprocessableEntity, HeartbeatProblemTitles.UnprocessableHeartbeat, detail, index);

    private static HeartbeatRejection Malformed(ReadOnlySpan<byte> body, long offset, string reason, int? index = null)
    {
        offset = Math.Clamp(offset, 0, body.Length);
        var before = body[..(int)offset];
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        var location = lineStart == 0
            ? $"byte offset {offset}"
            : $"byte offset {offset} (line {before.Count((byte)'\n') + 1}, byte {offset - lineStart} of that line)";
        return new HeartbeatRejection(
            Status400BadRequest,
            HeartbeatProblemTitles.MalformedJson,
            $"The request body is not valid heartbeat JSON at {location}: {reason}",
            index);
    }

    /// <summary>Turns the reader's (line, byte in line) into an offset from the start of <paramref name="json"/>.</summary>
    private static long ErrorOffset(ReadOnlySpan<byte> json, JsonException exception)
    {
        if (exception.LineNumber is not { } line || exception.BytePositionInLine is not { } column)
        {
            return json.Length;
        }

        var lineStart = 0;
        for (var i = 0L; i < line; i++)
        {
            var next = json[lineStart..].IndexOf((byte)'\n');
            if (next < 0)
            {
                break;
            }

            lineStart += next + 1;
        }

        return lineStart + column;
    }

    private static string ReasonOf(JsonException exception)
    {
        // The reader appends "LineNumber: 0 | BytePositionInLine: 3." which Malformed already states more readably.
        var message = exception.Message;
        var suffix = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return suffix > 0 ? message[..suffix] : message;
    }

    private static int IndexOfInvalidUtf8(ReadOnlySpan<byte> text)
    {
        var index = 0;
        while (index < text.Length)
        {
            if (Rune.DecodeFromUtf8(text[index..], out _, out var consumed) != OperationStatus.Done)
            {
                return index;
            }

            index += consumed;
        }

        return index;
    }

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => $"the string \"{Echo(reader.ValueSpan)}\"",
        JsonTokenType.Number => $"the number {Echo(reader.ValueSpan)}",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => reader.TokenType.ToString(),
    };

    /// <summary>Client text quoted back in a detail, as written (escapes included) and shortened.</summary>
    private static string Echo(ReadOnlySpan<byte> raw) =>
        raw.Length <= MaxEchoedLength ? Encoding.UTF8.GetString(raw) : Encoding.UTF8.GetString(raw[..MaxEchoedLength]) + "…";

    private static string Echo(string raw) => raw.Length <= MaxEchoedLength ? raw : raw[..MaxEchoedLength] + "…";
}
