using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Sensors360.Contracts;

namespace Ingestion.Api.Credentials;

/// <summary>
/// Asks Monitor.Worker about a key (or, for a collector, a sensor) the cache does not know, so a sensor registered a
/// moment ago works before its registry event arrives — and after a broker restart, when that event may never come (the reload that repairs the
/// cache waits for the API's queue to come back, which MassTransit retries only every 3 to 30 s).
/// One question per key or sensor at a time, within <see cref="IngestionOptions.KeyLookupsPerSecond"/> for every caller
/// together, and a key found unknown is not asked about again for <see cref="MissMemory"/>: made-up keys stay cheap.
/// </summary>
public sealed class CredentialLookup : IDisposable
{
    static readonly TimeSpan MissMemory = TimeSpan.FromSeconds(2);
    const int MaxRememberedMisses = 100_000;

    public const string HttpClientName = "credential-lookup";

    readonly IHttpClientFactory _http;
    readonly CredentialCache _cache;
    readonly TimeProvider _clock;
    readonly ILogger<CredentialLookup> _logger;
    readonly TimeSpan _timeout;
    readonly TokenBucketRateLimiter? _budget;
    readonly ConcurrentDictionary<string, Lazy<Task<bool>>> _inFlight = new();
    readonly ConcurrentDictionary<string, long> _missUntil = new();

    public CredentialLookup(
        IHttpClientFactory http, CredentialCache cache, IOptions<IngestionOptions> options, TimeProvider clock, ILogger<CredentialLookup> logger)
    {
        (_http, _cache, _clock, _logger) = (http, cache, clock, logger);
        _timeout = options.Value.KeyLookupTimeout;
        var perSecond = options.Value.KeyLookupsPerSecond;
        _budget = perSecond == 0 ? null : new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    /// <returns>True when the registry knows the key and the cache now holds it.</returns>
    public ValueTask<bool> TryAddKeyAsync(KeyDigest digest, CancellationToken cancellationToken) =>
        TryAddAsync<KeyCredential>($"/internal/credentials/keys/{digest.ToHex()}",
            found => (object?)found.Sensor ?? found.Collector, cancellationToken);

    /// <returns>True when the registry knows the sensor and the cache now holds it.</returns>
    public ValueTask<bool> TryAddSensorAsync(long sensorId, CancellationToken cancellationToken) =>
        TryAddAsync<SensorCredential>($"/internal/credentials/sensors/{sensorId}", found => found, cancellationToken);

    async ValueTask<bool> TryAddAsync<T>(string path, Func<T, object?> entry, CancellationToken cancellationToken)
    {
        if (_budget is null || (_missUntil.TryGetValue(path, out var until) && _clock.GetTimestamp() < until))
        {
            return false;
        }

        var lookup = _inFlight.GetOrAdd(path, p => new Lazy<Task<bool>>(() => Start(p, entry)));
        _ = lookup.Value.ContinueWith(
            _ => _inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<bool>>>(path, lookup)),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await lookup.Value.WaitAsync(cancellationToken);
    }

    Task<bool> Start<T>(string path, Func<T, object?> entry)
    {
        using var lease = _budget!.AttemptAcquire();
        return lease.IsAcquired ? LookUpAsync(path, entry) : Task.FromResult(false);
    }

    async Task<bool> LookUpAsync<T>(string path, Func<T, object?> entry)
    {
        using var timeout = new CancellationTokenSource(_timeout, _clock);
        var http = _http.CreateClient(HttpClientName);
        try
        {
            using var response = await http.GetAsync(path, timeout.Token);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                RememberMiss(path);
                return false;
            }
            response.EnsureSuccessStatusCode();
            var found = await response.Content.ReadFromJsonAsync<T>(timeout.Token) is { } body ? entry(body) : null;
            _cache.Apply(found ?? throw new HttpRequestException($"The credentials API answered {path} with nothing usable."));
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            // The worker is down or slow: the request is refused like any other unknown key or sensor; the caller sends again.
            _logger.LogWarning(ex, "Could not look up {Path} at {Source}", path, http.BaseAddress);
            return false;
        }
    }

    void RememberMiss(string path)
    {
        if (_missUntil.Count >= MaxRememberedMisses)
        {
            _missUntil.Clear();
        }
        _missUntil[path] = _clock.GetTimestamp() + (long)(MissMemory.TotalSeconds * _clock.TimestampFrequency);
    }

    public void Dispose() => _budget?.Dispose();
}
