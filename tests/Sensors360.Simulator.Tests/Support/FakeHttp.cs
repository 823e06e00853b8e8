using System.Collections.Concurrent;
using System.Text;

namespace Sensors360.Simulator.Tests.Support;

/// <summary>Stands in for the HTTP server: records every request and answers with what the test scripts.</summary>
public sealed class FakeHttpHandler(Func<HttpRequestMessage, string?, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    private int _inFlight;
    private int _maxInFlight;

    public FakeHttpHandler(Func<HttpRequestMessage, string?, HttpResponseMessage> respond)
        : this((request, body) => Task.FromResult(respond(request, body)))
    {
    }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public int InFlight => Volatile.Read(ref _inFlight);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Enqueue(new RecordedRequest(request.Method, request.RequestUri!, request.Headers.TryGetValues("X-Api-Key", out var keys) ? keys.Single() : null,
            request.Content?.Headers.ContentType?.MediaType, body) { Authorization = request.Headers.Authorization?.ToString() });
        var inFlight = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref _maxInFlight, inFlight);
        try
        {
            return await respond(request, body);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    public static HttpResponseMessage Answer(HttpStatusCode status, string? json = null, string mediaType = "application/json")
    {
        var response = new HttpResponseMessage(status);
        if (json is not null)
        {
            response.Content = new StringContent(json, Encoding.UTF8, mediaType);
        }

        return response;
    }

    /// <summary>A server that cannot be reached: every request throws <paramref name="exception"/>.</summary>
    public static FakeHttpHandler Throwing(Exception exception) =>
        new((Func<HttpRequestMessage, string?, HttpResponseMessage>)((_, _) => throw exception));

    public static HttpResponseMessage Problem(HttpStatusCode status, string title, string detail) =>
        Answer(status, $$"""{"type":"about:blank","title":"{{title}}","status":{{(int)status}},"detail":"{{detail}}"}""", "application/problem+json");
}

public sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? ApiKey, string? ContentType, string? Body)
{
    public string? Authorization { get; init; }
}

/// <summary>Hands out clients over one handler, as IHttpClientFactory does over its pooled handlers.</summary>
public sealed class FakeHttpClientFactory(HttpMessageHandler handler) : IHttpClientFactory
{
    public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
}
