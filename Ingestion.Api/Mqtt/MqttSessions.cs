using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Ingestion.Api.Mqtt;

/// <summary>
/// Closes the MQTT connections of a sensor whose key stopped being valid (rotated) or that was retired. The broker
/// checks a key only at connect and a topic once per connection, so a device already connected would otherwise go on
/// publishing with its old key. Closing goes through the broker's management API, signed in as the device's own user
/// (<see cref="MqttSessionToken"/>). It is done at once, and again once the broker's sign-in cache (5 s) has expired,
/// for a device that reconnected in between on a cached answer.
/// </summary>
public sealed partial class MqttSessions(
    IHttpClientFactory httpClientFactory, IOptions<MqttOptions> options, TimeProvider time, ILogger<MqttSessions> logger)
    : BackgroundService
{
    public const string HttpClientName = "mqtt-management";

    /// <summary>The broker's sign-in cache (auth_cache.cache_ttl), and a second to spare.</summary>
    static readonly TimeSpan AfterSignInCache = TimeSpan.FromSeconds(6);

    readonly Channel<(string UserName, string Reason, bool Again)> _pending = Channel.CreateUnbounded<(string, string, bool)>();

    /// <summary>Asks for the connections of the sensor's user to be closed; returns at once.</summary>
    public void CloseSensor(long sensorId, string reason)
    {
        if (options.Value.Enabled && options.Value.ManagementUrls.Length > 0)
        {
            _pending.Writer.TryWrite((sensorId.ToString(CultureInfo.InvariantCulture), reason, true));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (userName, reason, again) in _pending.Reader.ReadAllAsync(stoppingToken))
        {
            var closed = await CloseAsync(userName, reason, stoppingToken);
            if (closed > 0)
            {
                LogClosed(logger, closed, userName, reason);
            }
            if (again)
            {
                _ = Task.Delay(AfterSignInCache, time, stoppingToken).ContinueWith(
                    _ => _pending.Writer.TryWrite((userName, reason, false)),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Closes the user's connections through the first node that answers; returns how many.</summary>
    async Task<int> CloseAsync(string userName, string reason, CancellationToken cancellationToken)
    {
        var http = httpClientFactory.CreateClient(HttpClientName);
        foreach (var node in options.Value.ManagementUrls)
        {
            try
            {
                var token = MqttSessionToken.Create(userName, options.Value.BrokerKey, time.GetUtcNow());
                var credentials = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{userName}:{token}")));
                // A user who is not a monitor sees only its own connections.
                using var list = new HttpRequestMessage(HttpMethod.Get, new Uri(node, "api/connections?columns=name,user"));
                list.Headers.Authorization = credentials;
                using var listed = await http.SendAsync(list, cancellationToken);
                listed.EnsureSuccessStatusCode();
                var connections = await listed.Content.ReadFromJsonAsync<Connection[]>(cancellationToken) ?? [];
                var closed = 0;
                foreach (var connection in connections.Where(c => c.User == userName))
                {
                    using var delete = new HttpRequestMessage(HttpMethod.Delete, new Uri(node, "api/connections/" + Uri.EscapeDataString(connection.Name)));
                    delete.Headers.Authorization = credentials;
                    delete.Headers.Add("X-Reason", reason);
                    using var deleted = await http.SendAsync(delete, cancellationToken);
                    closed += deleted.IsSuccessStatusCode ? 1 : 0;
                }
                return closed;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
            {
                LogNodeFailed(logger, node, userName, ex.Message);
            }
        }
        return 0;
    }

    sealed record Connection(string Name, string? User);

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed {Count} MQTT connection(s) of user {UserName}: {Reason}")]
    static partial void LogClosed(ILogger logger, int count, string userName, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not close the MQTT connections of user {UserName} through {Node}: {Error}")]
    static partial void LogNodeFailed(ILogger logger, Uri node, string userName, string error);
}
