using System.Globalization;
using System.Text;

namespace Sensors360.Simulator.Load;

/// <summary>What the progress line shows.</summary>
/// <param name="RequestsPerSecond">Since the previous line.</param>
/// <param name="HeartbeatsPerSecond">Heartbeats accepted per second since the previous line.</param>
/// <param name="P99Milliseconds">Over every answered request so far; null before the first answer.</param>
/// <param name="Errors">Requests not answered 2xx so far, failures included.</param>
/// <param name="PersistedPerSecond">Heartbeats stored per second since the previous line, when the database is watched.</param>
/// <param name="Persisted">Heartbeats stored since the load began, when the database is watched.</param>
public sealed record Progress(
    TimeSpan Elapsed, string Phase, double RequestsPerSecond, double HeartbeatsPerSecond, double? P99Milliseconds, long Errors,
    long RateLimited, double? PersistedPerSecond, long? Persisted, long Accepted)
{
    /// <summary>
    /// E.g. <c>load 12.0 s measuring · 1,234 req/s · 61,700 hb/s · p99 12.3 ms · errors 3 (429: 3) · persisted 60,100/s</c>.
    /// </summary>
    public string Format()
    {
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture,
            $"load {Elapsed.TotalSeconds,6:F1} s {Phase} · {RequestsPerSecond:N0} req/s · {HeartbeatsPerSecond:N0} hb/s · p99 ");
        line.Append(P99Milliseconds is { } p99 ? string.Create(CultureInfo.InvariantCulture, $"{p99:N1} ms") : "–");
        line.Append(CultureInfo.InvariantCulture, $" · errors {Errors:N0} (429: {RateLimited:N0})");
        if (Persisted is { } persisted)
        {
            line.Append(CultureInfo.InvariantCulture, $" · persisted {PersistedPerSecond ?? 0:N0}/s ({persisted:N0} of {Accepted:N0})");
        }

        return line.ToString();
    }
}

/// <summary>
/// Shows the progress line on stderr (stdout is kept for the report): rewritten in place on a terminal, one line
/// each time otherwise (a log file, CI).
/// </summary>
public sealed class ProgressWriter(TextWriter output, bool inPlace)
{
    private int _lastLength;

    public static ProgressWriter ForConsole() => new(Console.Error, inPlace: !Console.IsErrorRedirected);

    public void Show(Progress progress) => Write(progress.Format());

    public void Write(string line)
    {
        lock (output)
        {
            if (inPlace)
            {
                output.Write('\r' + line.PadRight(_lastLength));
                _lastLength = line.Length;
            }
            else
            {
                output.WriteLine(line);
            }

            output.Flush();
        }
    }

    /// <summary>A note on a line of its own, leaving the progress line intact.</summary>
    public void Note(string message)
    {
        lock (output)
        {
            EndLine();
            output.WriteLine(message);
            output.Flush();
        }
    }

    /// <summary>Ends the in-place line, so that what follows starts on a new one.</summary>
    public void Finish()
    {
        lock (output)
        {
            EndLine();
            output.Flush();
        }
    }

    private void EndLine()
    {
        if (inPlace && _lastLength > 0)
        {
            output.WriteLine();
            _lastLength = 0;
        }
    }
}
