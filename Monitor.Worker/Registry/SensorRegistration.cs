using Microsoft.AspNetCore.Http.HttpResults;
using Sensors360.Contracts;
using Sensors360.Monitoring.Model;

namespace Monitor.Worker.Registry;

public sealed record RegisterSensorRequest(
    string? Tag, Dictionary<string, string>? Labels, int? ExpectedIntervalSeconds, int? GraceSeconds, int? StaleAfterSeconds);

/// <summary>The key is in this response and nowhere else: it is stored only as a hash.</summary>
public sealed record SensorKeyResponse(long Id, string Tag, string Key);

/// <summary>The new sensor that took over a retired one's tag; its key is shown here only.</summary>
public sealed record ReplacementResponse(long Id, string Tag, string Key, long Replaces);

public sealed record SensorSummary(
    long Id, string Tag, IReadOnlyDictionary<string, string> Labels, string State, DateTimeOffset StateSince, DateTimeOffset? RetiredAt,
    string? RetirementReason);

/// <summary>Why a sensor is retired or replaced; without a reason the retirement counts as a failure.</summary>
public sealed record RetireRequest(string? Reason)
{
    /// <returns>A validation problem, or null with <paramref name="reason"/> set (null when none was given).</returns>
    public static ValidationProblem? Validate(RetireRequest? request, out RetirementReason? reason)
    {
        reason = RetirementReasonNames.Parse(request?.Reason);
        return request?.Reason is { } given && reason is null
            ? TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["reason"] = [$"'{given}' is not a reason; give one of {string.Join(", ", RetirementReasonNames.Names.Values)}, or none."] },
                detail: "The sensor was not retired.")
            : null;
    }
}

/// <summary>Validation shared by single registration and CSV import. Returns field → messages, empty when valid.</summary>
public static class SensorRegistration
{
    public const int MaxTagLength = 200;

    /// <summary>A new, never-heard sensor from a validated request; only the hash of <paramref name="key"/> is kept.</summary>
    public static Sensor NewSensor(RegisterSensorRequest request, string key, DateTimeOffset now) => NewSensor(
        request.Tag!.Trim(), request.Labels ?? [], key, now,
        Seconds(request.ExpectedIntervalSeconds), Seconds(request.GraceSeconds), Seconds(request.StaleAfterSeconds));

    public static Sensor NewSensor(
        string tag, Dictionary<string, string> labels, string key, DateTimeOffset now,
        TimeSpan? expectedInterval, TimeSpan? grace, TimeSpan? staleAfter) => new()
    {
        Tag = tag,
        Labels = labels,
        KeyHash = ApiKeys.Hash(key),
        CreatedAt = now,
        StateSince = now,
        ExpectedInterval = expectedInterval,
        Grace = grace,
        StaleAfter = staleAfter,
    };

    static TimeSpan? Seconds(int? value) => value is { } s ? TimeSpan.FromSeconds(s) : null;

    public static Dictionary<string, string[]> Validate(RegisterSensorRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        var tag = request.Tag?.Trim();
        if (string.IsNullOrEmpty(tag))
        {
            errors["tag"] = ["A tag is required."];
        }
        else if (tag.Length > MaxTagLength || tag.Any(char.IsControl))
        {
            errors["tag"] = [$"A tag has at most {MaxTagLength} characters and no control characters."];
        }

        SensorLabels.Validate(errors, "labels", request.Labels);

        Range(errors, "expectedIntervalSeconds", request.ExpectedIntervalSeconds, 1, 86_400);
        Range(errors, "graceSeconds", request.GraceSeconds, 0, 86_400);
        Range(errors, "staleAfterSeconds", request.StaleAfterSeconds, 10, 30 * 86_400);
        return errors;
    }

    static void Range(Dictionary<string, string[]> errors, string field, int? value, int min, int max)
    {
        if (value is { } v && (v < min || v > max))
        {
            errors[field] = [$"{field} must be between {min} and {max}."];
        }
    }
}
