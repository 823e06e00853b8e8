using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Sensors360.Contracts;

namespace Ingestion.Api.Credentials;

/// <summary>
/// Loads every credential from Monitor.Worker at start (retrying until it answers), then again every
/// <see cref="IngestionOptions.CredentialRefreshPeriod"/> as a safety net behind the registry events, and at once
/// when <see cref="CredentialReloads"/> says registry events may have been missed.
/// </summary>
public sealed class CredentialLoader(
    HttpClient http, CredentialCache cache, CredentialReloads reloads, IOptions<IngestionOptions> options, TimeProvider clock, ILogger<CredentialLoader> logger)
    : BackgroundService
{
    const int PageSize = 10_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retryDelay = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var set = await LoadAsync(stoppingToken);
                logger.LogInformation("Credentials loaded: {Sensors} sensors, {Collectors} collector keys", set.SensorCount, set.CollectorCount);
                retryDelay = TimeSpan.FromMilliseconds(250);
                await NextLoadAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever went wrong (worker down, an open circuit breaker, a bad page), keep the current cache and
                // retry; an exception escaping here would stop the whole API.
                logger.LogWarning(ex, "Could not load credentials from {Source}; retrying in {Delay}", http.BaseAddress, retryDelay);
                await Task.Delay(retryDelay, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    async Task NextLoadAsync(CancellationToken stoppingToken)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var period = Task.Delay(options.Value.CredentialRefreshPeriod, clock, wake.Token);
        await Task.WhenAny(period, reloads.WaitAsync(wake.Token));
        stoppingToken.ThrowIfCancellationRequested();
        await wake.CancelAsync();
    }

    async Task<CredentialSet> LoadAsync(CancellationToken cancellationToken)
    {
        cache.BeginLoad();
        try
        {
            var set = new CredentialSet();
            foreach (var collector in await http.GetFromJsonAsync<List<CollectorCredential>>("/internal/credentials/collectors", cancellationToken) ?? [])
            {
                set.Apply(collector);
            }

            long? after = 0;
            while (after is { } cursor)
            {
                var page = await http.GetFromJsonAsync<SensorCredentialsPage>(
                    $"/internal/credentials/sensors?after={cursor}&limit={PageSize}", cancellationToken)
                    ?? throw new HttpRequestException("The credentials API answered an empty page.");
                foreach (var sensor in page.Items)
                {
                    set.Apply(sensor);
                }
                after = page.Next;
            }

            cache.CompleteLoad(set);
            return set;
        }
        catch
        {
            cache.AbandonLoad();
            throw;
        }
    }
}
