namespace Alerting.Service;

/// <summary>How webhook and chat deliveries read a receiver's answer, and how long a recorded failure may be.</summary>
public static class DeliveryAnswers
{
    public const int MaxErrorLength = 1000;

    public static bool Succeeded(int status) => status is >= 200 and <= 299;

    /// <summary>
    /// Worth another attempt: a timeout (408), too many requests (429) or the receiver's own fault (5xx). Any other
    /// status is the same next time; redirects (3xx) are not followed, so that a target cannot send deliveries elsewhere.
    /// </summary>
    public static bool Retryable(int status) => status is 408 or 429 or >= 500;

    /// <summary><paramref name="text"/>, cut to <paramref name="max"/> characters with an ellipsis.</summary>
    public static string Shorten(string text, int max = MaxErrorLength) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
