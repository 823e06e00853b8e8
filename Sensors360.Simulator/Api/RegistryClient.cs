using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Polly;

namespace Sensors360.Simulator.Api;

public sealed record RegisterSensorRequest(string Tag, IReadOnlyDictionary<string, string> Labels, int ExpectedIntervalSeconds, int GraceSeconds);

public sealed record RegisteredSensor(long Id, string Tag, string Key);

public enum RegistrationStatus
{
    Registered,

    /// <summary>409: an active sensor already has the tag.</summary>
    TagInUse,

    /// <summary>The registry is unreachable or failing (5xx, timeout): worth trying again later.</summary>
    Unavailable,

    /// <summary>Any other refusal (e.g. 400): trying again would not help.</summary>
    Refused,
}

public sealed record RegistrationResult(RegistrationStatus Status, RegisteredSensor? Sensor = null, string? Detail = null);

/// <summary>The sensor registry's <c>POST /api/sensors</c>.</summary>
public sealed class RegistryClient(IHttpClientFactory httpClientFactory, IOptions<SimulatorOptions> options)
{
    /// <summary>The named HttpClient; keeps the standard resilience handler from the service defaults.</summary>
    public const string HttpClientName = "registry";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Uri _sensors = new(HeartbeatRequests.WithTrailingSlash(new Uri(options.Value.RegistryUrl)), "api/sensors");

    public async Task<RegistrationResult> RegisterAsync(RegisterSensorRequest sensor, CancellationToken cancellationToken)
    {
        try
        {
            // Serialised up front so the request has a Content-Length rather than a chunked body.
            using var content = new StringContent(JsonSerializer.Serialize(sensor, Json), Encoding.UTF8, "application/json");
            using var response = await httpClientFactory.CreateClient(HttpClientName).PostAsync(_sensors, content, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                return await response.Content.ReadFromJsonAsync<RegisteredSensor>(Json, cancellationToken) is { Key.Length: > 0 } registered
                    ? new RegistrationResult(RegistrationStatus.Registered, registered)
                    : new RegistrationResult(RegistrationStatus.Refused, Detail: "The registry answered 201 without a key.");
            }

            var detail = await ProblemText.ReadAsync(response, cancellationToken);
            return response.StatusCode switch
            {
                HttpStatusCode.Conflict => new RegistrationResult(RegistrationStatus.TagInUse, Detail: detail),
                HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError
                    => new RegistrationResult(RegistrationStatus.Unavailable, Detail: detail),
                _ => new RegistrationResult(RegistrationStatus.Refused, Detail: detail),
            };
        }
        catch (HttpRequestException ex)
        {
            return new RegistrationResult(RegistrationStatus.Unavailable, Detail: ex.Message);
        }
        catch (ExecutionRejectedException ex)
        {
            // The resilience handler's circuit breaker or total timeout.
            return new RegistrationResult(RegistrationStatus.Unavailable, Detail: ex.Message);
        }
        catch (JsonException ex)
        {
            return new RegistrationResult(RegistrationStatus.Refused, Detail: $"Unexpected registry answer: {ex.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new RegistrationResult(RegistrationStatus.Unavailable, Detail: "The request timed out.");
        }
    }
}
