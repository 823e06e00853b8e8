using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsvHelper;
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

/// <param name="Sensors">In the order of the file's rows, when <see cref="Status"/> is <see cref="RegistrationStatus.Registered"/>.</param>
public sealed record ImportResult(RegistrationStatus Status, IReadOnlyList<RegisteredSensor> Sensors, string? Detail = null);

public sealed record CreatedCollectorKey(long Id, string Name, string Key);

public sealed record CollectorKeyResult(RegistrationStatus Status, CreatedCollectorKey? CollectorKey = null, string? Detail = null);

/// <summary>The sensor registry: <c>POST /api/sensors</c>, <c>POST /api/sensors/import</c>, <c>POST /api/collector-keys</c>.</summary>
/// <param name="bearerToken">Sent as <c>Authorization: Bearer</c> by imports and collector-key requests, for a registry behind the gateway.</param>
public sealed class RegistryClient(IHttpClientFactory httpClientFactory, Uri registry, string? bearerToken = null)
{
    /// <summary>The named HttpClient; keeps the standard resilience handler from the service defaults.</summary>
    public const string HttpClientName = "registry";

    /// <summary>
    /// The named HttpClient for imports and collector keys: no resilience handler, whose 10-second attempt timeout a
    /// large import can exceed and whose retry of an import that did go through would fail on the tags it took.
    /// </summary>
    public const string BulkHttpClientName = "registry-bulk";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Uri _sensors = new(HeartbeatRequests.WithTrailingSlash(registry), "api/sensors");

    public RegistryClient(IHttpClientFactory httpClientFactory, IOptions<SimulatorOptions> options)
        : this(httpClientFactory, new Uri(options.Value.RegistryUrl))
    {
    }

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

    /// <summary>
    /// <c>POST /api/sensors/import</c>: registers every row of <paramref name="csv"/> (header <c>tag,...</c>) or none.
    /// </summary>
    public async Task<ImportResult> ImportAsync(string csv, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await PostBulkAsync(new Uri(_sensors.AbsoluteUri + "/import"), new StringContent(csv, Encoding.UTF8, "text/csv"), cancellationToken);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                return new ImportResult(StatusOf(response.StatusCode), [], await ProblemText.ReadAsync(response, cancellationToken));
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return ParseImported(body) is { } sensors
                ? new ImportResult(RegistrationStatus.Registered, sensors)
                : new ImportResult(RegistrationStatus.Refused, [], "The registry answered 201 without the expected 'id,tag,key' CSV.");
        }
        catch (HttpRequestException ex)
        {
            return new ImportResult(RegistrationStatus.Unavailable, [], ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ImportResult(RegistrationStatus.Unavailable, [], "The request timed out.");
        }
    }

    /// <summary><c>POST /api/collector-keys</c>: a key for every sensor whose labels contain all of <paramref name="selector"/>.</summary>
    public async Task<CollectorKeyResult> CreateCollectorKeyAsync(
        string name, IReadOnlyDictionary<string, string> selector, CancellationToken cancellationToken)
    {
        try
        {
            var json = JsonSerializer.Serialize(new { name, selector }, Json);
            using var response = await PostBulkAsync(new Uri(HeartbeatRequests.WithTrailingSlash(registry), "api/collector-keys"),
                new StringContent(json, Encoding.UTF8, "application/json"), cancellationToken);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                return new CollectorKeyResult(StatusOf(response.StatusCode), Detail: await ProblemText.ReadAsync(response, cancellationToken));
            }

            return await response.Content.ReadFromJsonAsync<CreatedCollectorKey>(Json, cancellationToken) is { Key.Length: > 0 } created
                ? new CollectorKeyResult(RegistrationStatus.Registered, created)
                : new CollectorKeyResult(RegistrationStatus.Refused, Detail: "The registry answered 201 without a key.");
        }
        catch (HttpRequestException ex)
        {
            return new CollectorKeyResult(RegistrationStatus.Unavailable, Detail: ex.Message);
        }
        catch (JsonException ex)
        {
            return new CollectorKeyResult(RegistrationStatus.Refused, Detail: $"Unexpected registry answer: {ex.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new CollectorKeyResult(RegistrationStatus.Unavailable, Detail: "The request timed out.");
        }
    }

    private async Task<HttpResponseMessage> PostBulkAsync(Uri uri, HttpContent content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        if (!string.IsNullOrEmpty(bearerToken))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        return await httpClientFactory.CreateClient(BulkHttpClientName).SendAsync(request, cancellationToken);
    }

    private static RegistrationStatus StatusOf(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Conflict => RegistrationStatus.TagInUse,
        HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError => RegistrationStatus.Unavailable,
        _ => RegistrationStatus.Refused,
    };

    /// <summary>The import's answer, <c>id,tag,key</c> per row; null when it is not that.</summary>
    internal static List<RegisteredSensor>? ParseImported(string text)
    {
        try
        {
            using var csv = new CsvReader(new StringReader(text), CultureInfo.InvariantCulture);
            if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not ["id", "tag", "key"])
            {
                return null;
            }

            var sensors = new List<RegisteredSensor>();
            while (csv.Read())
            {
                if (csv.Parser.Count != 3 || !long.TryParse(csv.GetField(0), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    return null;
                }

                sensors.Add(new RegisteredSensor(id, csv.GetField(1)!, csv.GetField(2)!));
            }

            return sensors;
        }
        catch (BadDataException)
        {
            return null;
        }
    }
}
