using System.Buffers;
using Ingestion.Api.Admission;
using Ingestion.Api.Credentials;
using Ingestion.Api.Heartbeats;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using Sensors360.Contracts;
using Sensors360.Messaging;
using static Ingestion.Api.Apis.HeartbeatProblems;

namespace Ingestion.Api.Apis;

/// <summary>Answer to an accepted request: the heartbeats are in the broker, in the batch named here.</summary>
public sealed record HeartbeatsAccepted(int Accepted, Guid BatchId);

/// <summary>Shape of one heartbeat, for the OpenAPI document; the parser reads the body itself.</summary>
/// <param name="Timestamp">ISO-8601 with offset, or Unix epoch seconds or milliseconds (number or digits).</param>
public sealed record HeartbeatItem(long SensorId, string Timestamp);

public sealed record HeartbeatServices(
    CredentialCache Credentials, CredentialLookup Lookup, HeartbeatBatcher Batcher, KeyRateLimiter RateLimiter,
    IOptions<IngestionOptions> Options, TimeProvider Clock);

/// <summary>
/// Sensors (or their collectors) post heartbeats here; see docs/api.md for every answer. The key, the backlog and
/// whether the key has any rate left are checked before a handler runs (<see cref="HeartbeatAdmission"/>); the
/// request's heartbeats count against the key's rate once the body is parsed, a refused request's as one.
/// </summary>
public static class HeartbeatApi
{
    public static IEndpointRouteBuilder MapHeartbeatApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/heartbeats").WithTags("Heartbeats").RequireHeartbeatAdmission()
            .MapPost("/", Ingest).WithName("PostHeartbeats")
            .WithSummary("Accepts one heartbeat object or an array of up to 10,000; 202 once the broker has them.")
            // Described, not declared with Accepts(): that would make routing answer a bare 415 before the
            // handler could say what is wrong (and before the key is checked).
            .AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "One heartbeat object, or an array of up to 10,000 (at most 1 MiB).",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(HeartbeatItem[]), null, cancellationToken) },
                    },
                })
            .Produces<HeartbeatsAccepted>(StatusCodes.Status202Accepted)
            .WithProblems(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType,
                StatusCodes.Status422UnprocessableEntity);

        app.MapGroup("/api/v0").WithTags("Heartbeats (legacy)").RequireHeartbeatAdmission()
            .MapPost("/heartbeat", IngestLegacy).WithName("PostLegacyHeartbeat")
            .WithSummary("The original form: POST /api/v0/heartbeat?sensor_id=N&timestamp=EPOCH_SECONDS.")
            .Produces<HeartbeatsAccepted>(StatusCodes.Status202Accepted)
            .WithProblems(StatusCodes.Status400BadRequest, StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    static RouteHandlerBuilder WithProblems(this RouteHandlerBuilder route, params int[] statusCodes)
    {
        foreach (var status in statusCodes.Concat([401, 403, 429, 503]))
        {
            route.ProducesProblem(status);
        }
        return route;
    }

    static async Task<Results<Accepted<HeartbeatsAccepted>, ProblemHttpResult>> Ingest(
        HttpContext http, [AsParameters] HeartbeatServices services)
    {
        if (!IsJson(http.Request.ContentType))
        {
            services.RateLimiter.Charge(http);
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"Send heartbeats as 'application/json', not '{http.Request.ContentType ?? "no content type"}'. "
                + "The query-string form is POST /api/v0/heartbeat?sensor_id=N&timestamp=EPOCH.");
        }

        var body = await ReadBodyAsync(http.Request, http.RequestAborted);
        if (body is null)
        {
            services.RateLimiter.Charge(http);
            return Problem(StatusCodes.Status413PayloadTooLarge, "Body too large",
                $"A request body is at most {IngestionOptions.MaxBodyBytes} bytes (1 MiB); split the heartbeats into several requests.");
        }

        try
        {
            var now = services.Clock.GetUtcNow();
            var parsed = HeartbeatParser.ParseJson(body.Value.Memory.Span, now, services.Options.Value.Limits);
            return await AcceptAsync(http, services, parsed, now);
        }
        finally
        {
            body.Value.Dispose();
        }
    }

    static async Task<Results<Accepted<HeartbeatsAccepted>, ProblemHttpResult>> IngestLegacy(
        HttpContext http, [AsParameters] HeartbeatServices services)
    {
        var query = http.Request.Query;
        foreach (var name in (string[])["sensor_id", "timestamp"])
        {
            if (query[name].Count > 1)
            {
                services.RateLimiter.Charge(http);
                return Problem(StatusCodes.Status400BadRequest, HeartbeatProblemTitles.InvalidHeartbeat,
                    $"Query parameter '{name}' is given {query[name].Count} times; give it once.");
            }
        }

        var now = services.Clock.GetUtcNow();
        var parsed = HeartbeatParser.ParseLegacy(query["sensor_id"], query["timestamp"], now, services.Options.Value.Limits);
        return await AcceptAsync(http, services, parsed, now);
    }

    static async Task<Results<Accepted<HeartbeatsAccepted>, ProblemHttpResult>> AcceptAsync(
        HttpContext http, HeartbeatServices services, HeartbeatParseResult parsed, DateTimeOffset receivedAt)
    {
        if (!parsed.IsValid)
        {
            services.RateLimiter.Charge(http);
            var rejection = parsed.Rejection;
            return Problem(rejection.StatusCode, rejection.Title, rejection.Detail, rejection.ItemIndex);
        }
        // The key's rate counts heartbeats: a batch of N costs N.
        if (services.RateLimiter.Admit(http, parsed.Items.Count) is { } overRate)
        {
            return overRate;
        }

        var caller = HeartbeatCaller.Of(http);
        var items = new Heartbeat[parsed.Items.Count];
        for (var i = 0; i < items.Length; i++)
        {
            var item = parsed.Items[i];
            var forbidden = Authorize(services.Credentials.Current, caller, item.SensorId, i);
            // A collector may send for a sensor registered a moment ago, before its registry event arrived.
            if (forbidden is not null && caller.Collector is not null && services.Credentials.Current.FindSensor(item.SensorId) is null
                && await services.Lookup.TryAddSensorAsync(item.SensorId, http.RequestAborted))
            {
                forbidden = Authorize(services.Credentials.Current, caller, item.SensorId, i);
            }
            if (forbidden is not null)
            {
                return forbidden;
            }
            items[i] = new Heartbeat(item.SensorId, item.SensorTime, receivedAt);
        }

        var result = await services.Batcher.SubmitAsync(items, http.RequestAborted);
        if (!result.Confirmed)
        {
            return RetryLater(http, StatusCodes.Status503ServiceUnavailable, UnavailableRetryAfterSeconds, "Broker unavailable",
                $"{result.Failure} Nothing was accepted; send the same request again after the Retry-After delay (duplicates are dropped).");
        }
        return TypedResults.Accepted((string?)null, new HeartbeatsAccepted(items.Length, result.BatchId!.Value));
    }

    static ProblemHttpResult? Authorize(CredentialSet credentials, HeartbeatCaller caller, long sensorId, int index) =>
        HeartbeatAuthorization.Check(credentials, caller.Sensor, caller.Collector, sensorId, index) is { } refused
            ? Problem(refused.StatusCode, refused.Title, refused.Detail, refused.ItemIndex)
            : null;

    static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type)
        && type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        && (type.Charset.Length == 0 || type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    /// <summary>A pooled copy of the body, or null when it is larger than <see cref="IngestionOptions.MaxBodyBytes"/>.</summary>
    static async Task<PooledBody?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > IngestionOptions.MaxBodyBytes)
        {
            return null;
        }

        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            if (read.Buffer.Length > IngestionOptions.MaxBodyBytes)
            {
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                return null;
            }
            if (read.IsCompleted)
            {
                var body = PooledBody.CopyOf(read.Buffer);
                reader.AdvanceTo(read.Buffer.End);
                return body;
            }
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    readonly struct PooledBody(byte[] array, int length) : IDisposable
    {
        public ReadOnlyMemory<byte> Memory => array.AsMemory(0, length);

        public static PooledBody CopyOf(ReadOnlySequence<byte> buffer)
        {
            var array = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, buffer.Length));
            buffer.CopyTo(array);
            return new PooledBody(array, (int)buffer.Length);
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(array);
    }
}
