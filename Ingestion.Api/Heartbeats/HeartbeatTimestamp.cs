using System.Globalization;
using System.Text;

namespace Ingestion.Api.Heartbeats;

/// <summary>Conversions and checks on heartbeat timestamps shared by the JSON and the legacy query-string forms.</summary>
internal static class HeartbeatTimestamp
{
    /// <summary>
    /// Epoch numbers below this magnitude are seconds, from it on milliseconds. 1e11 seconds is the year 5138 and
    /// 1e11 milliseconds is March 1973, so no plausible sensor clock falls where the two readings could be confused.
    /// </summary>
    public const long MillisecondsThreshold = 100_000_000_000;

    private static readonly long MinUnixMilliseconds = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxUnixMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    public static bool TryFromUnixEpoch(long value, out DateTimeOffset timestamp)
    {
        var milliseconds = value is > -MillisecondsThreshold and < MillisecondsThreshold ? value * 1000 : value;
        return TryFromUnixMilliseconds(milliseconds, out timestamp);
    }

    /// <summary>
    /// Fractional epochs follow the same magnitude rule. Digits below the millisecond are floored rather than rounded,
    /// so a timestamp never moves into the next millisecond (or second) and ordering between heartbeats is kept.
    /// </summary>
    public static bool TryFromUnixEpoch(decimal value, out DateTimeOffset timestamp)
    {
        var milliseconds = decimal.Floor(decimal.Abs(value) < MillisecondsThreshold ? value * 1000m : value);
        if (milliseconds < MinUnixMilliseconds || milliseconds > MaxUnixMilliseconds)
        {
            timestamp = default;
            return false;
        }

        return TryFromUnixMilliseconds((long)milliseconds, out timestamp);
    }

    /// <summary>Returns <see langword="null"/> when the timestamp is acceptable, otherwise what is wrong with it.</summary>
    public static string? DescribeWindowViolation(DateTimeOffset timestamp, DateTimeOffset now, HeartbeatLimits limits)
    {
        // Differences between two valid DateTimeOffsets always fit in a TimeSpan, unlike now ± limit, which can overflow.
        var maxFutureSkew = limits.EffectiveMaxFutureSkew;
        var ahead = timestamp - now;
        if (ahead > maxFutureSkew)
        {
            return $"'timestamp' {Format(timestamp)} is {FormatDuration(ahead)} in the future; "
                + $"at most {FormatDuration(maxFutureSkew)} of clock skew is accepted.";
        }

        var retention = limits.EffectiveRetention;
        var age = now - timestamp;
        if (age > retention)
        {
            return $"'timestamp' {Format(timestamp)} is {FormatDuration(age)} old; "
                + $"heartbeats older than {FormatDuration(retention)} are not accepted.";
        }

        return null;
    }

    /// <summary>ISO-8601 in UTC, with the fraction only when there is one: 2026-11-28T11:00:00Z, 2026-11-28T11:00:00.5Z.</summary>
    public static string Format(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// "55 minutes", "90 days 1 second". Rounded up to whole seconds so that a value just over a limit never reads
    /// the same as the limit itself.
    /// </summary>
    public static string FormatDuration(TimeSpan duration)
    {
        var totalSeconds = (long)Math.Ceiling(Math.Abs(duration.TotalSeconds));
        if (totalSeconds == 0)
        {
            return "0 seconds";
        }

        var text = new StringBuilder();
        Append(text, totalSeconds / 86_400, "day");
        Append(text, totalSeconds / 3_600 % 24, "hour");
        Append(text, totalSeconds / 60 % 60, "minute");
        Append(text, totalSeconds % 60, "second");
        return text.ToString();

        static void Append(StringBuilder text, long count, string unit)
        {
            if (count == 0)
            {
                return;
            }

            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(count.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(unit);
            if (count != 1)
            {
                text.Append('s');
            }
        }
    }

    private static bool TryFromUnixMilliseconds(long milliseconds, out DateTimeOffset timestamp)
    {
        if (milliseconds < MinUnixMilliseconds || milliseconds > MaxUnixMilliseconds)
        {
            timestamp = default;
            return false;
        }

        timestamp = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        return true;
    }
}
