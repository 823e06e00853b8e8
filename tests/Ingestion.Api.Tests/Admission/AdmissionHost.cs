using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingestion.Api.Admission;
using Ingestion.Api.Credentials;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sensors360.Contracts;
using Sensors360.Messaging;
using CredentialCache = Ingestion.Api.Credentials.CredentialCache;

namespace Ingestion.Api.Tests.Admission;

/// <summary>What the stand-in endpoint answers: who the admission steps said is calling.</summary>
public sealed record CallerSeen(long? SensorId, string? CollectorName);

/// <summary>
/// The heartbeat routes' admission (key, backlog, rate) wired as Program.cs wires it, in a real Kestrel on a loopback
/// port, in front of a stand-in endpoint that charges the key for the request's heartbeats (query <c>heartbeats</c>,
/// 1 by default) as the real one does after parsing, then answers 202 naming the caller: no broker,
/// no registry service.
/// </summary>
public sealed class AdmissionHost : IAsyncDisposable
{
    public const string Route = "/api/heartbeats";
    public const string OpenRoute = "/open";

    readonly WebApplication _app;

    AdmissionHost(WebApplication app, CredentialCache credentials)
    {
        _app = app;
        Credentials = credentials;
        Client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    public CredentialCache Credentials { get; }

    public HttpClient Client { get; }

    /// <param name="loaded">False: the registry's first full load has not finished.</param>
    /// <param name="registry">Answers key lookups; none: lookups are off (Ingestion:KeyLookupsPerSecond 0).</param>
    public static async Task<AdmissionHost> StartAsync(
        IngestionOptions? options = null, bool loaded = true, IHttpClientFactory? registry = null)
    {
        options ??= new IngestionOptions();
        if (registry is null)
        {
            options.KeyLookupsPerSecond = 0;
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var credentials = new CredentialCache(TimeProvider.System);
        if (loaded)
        {
            credentials.BeginLoad();
            credentials.CompleteLoad(new CredentialSet());
        }
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton(credentials);
        builder.Services.AddSingleton(registry ?? new NoRegistry());
        builder.Services.AddSingleton<CredentialLookup>();
        // Never started: its backlog stays unknown, which refuses nothing.
        builder.Services.AddSingleton(new HeartbeatBacklog(BrokerAddress.Parse("amqp://guest:guest@127.0.0.1:1"),
            Options.Create(new HeartbeatBacklogOptions()), TimeProvider.System, NullLogger<HeartbeatBacklog>.Instance));
        builder.Services.AddRequestProblemDetails();
        builder.Services.AddHeartbeatAdmission();

        var app = builder.Build();
        app.UseProblemResponses();
        app.UseHeartbeatAdmission();
        app.MapGroup(Route).RequireHeartbeatAdmission().MapPost("/", IResult (HttpContext http, KeyRateLimiter limiter, int? heartbeats) =>
        {
            if (limiter.Admit(http, heartbeats ?? 1) is { } refused)
            {
                return refused;
            }
            var caller = HeartbeatCaller.Of(http);
            return TypedResults.Accepted((string?)null, new CallerSeen(caller.Sensor?.SensorId, caller.Collector?.Name));
        });
        app.MapGet(OpenRoute, () => "open");
        await app.StartAsync();
        return new AdmissionHost(app, credentials);
    }

    /// <summary>Registers a sensor as a registry event would.</summary>
    public string AddSensor(long sensorId)
    {
        var key = ApiKeys.NewSensorKey();
        Credentials.Apply(new SensorRegistered(sensorId, $"sensor-{sensorId}", new Dictionary<string, string>(), ApiKeys.Hash(key), DateTimeOffset.UtcNow));
        return key;
    }

    public string AddCollector(long collectorKeyId, string name)
    {
        var key = ApiKeys.NewCollectorKey();
        Credentials.Apply(new CollectorKeyCreated(collectorKeyId, name, new Dictionary<string, string>(), ApiKeys.Hash(key), DateTimeOffset.UtcNow));
        return key;
    }

    /// <summary>A heartbeat request with the headers given as they are (null: header absent).</summary>
    public Task<HttpResponseMessage> PostAsync(string? authorization = null, string? apiKey = null, int? heartbeats = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, heartbeats is null ? Route : $"{Route}?heartbeats={heartbeats}") { Content = JsonContent.Create(new { sensorId = 1, timestamp = 0 }) };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        if (apiKey is not null)
        {
            request.Headers.TryAddWithoutValidation(ApiKeyAuthenticationHandler.ApiKeyHeader, apiKey);
        }
        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostWithBearerAsync(string key, int? heartbeats = null) =>
        PostAsync(authorization: $"Bearer {key}", heartbeats: heartbeats);

    /// <summary>The RFC 9457 body of <paramref name="response"/>, after checking its status and media type.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        return problem;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Stands in for the registry when lookups are off; never asked.</summary>
    sealed class NoRegistry : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("Key lookups are off in this test.");
    }
}
