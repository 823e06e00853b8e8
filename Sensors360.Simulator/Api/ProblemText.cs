using System.Text.Json;

namespace Sensors360.Simulator.Api;

/// <summary>Reads what an error response says, preferring an RFC 9457 problem's <c>detail</c>, then its <c>title</c>.</summary>
public static class ProblemText
{
    private const int MaxLength = 300;

    public static async Task<string> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            return status;
        }

        return FromBody(body) is { } text ? $"{status}: {text}" : status;
    }

    public static string? FromBody(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var name in new[] { "detail", "title" })
                {
                    if (document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                    {
                        return Truncate(value.GetString()!);
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the text itself is the best there is.
        }

        return Truncate(body.Trim());
    }

    private static string Truncate(string text) => text.Length <= MaxLength ? text : text[..MaxLength] + "…";
}
