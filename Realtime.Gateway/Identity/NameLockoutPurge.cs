namespace Realtime.Gateway.Identity;

/// <summary>
/// Every hour, deletes the names whose failures <see cref="NameLockouts"/> has forgotten. Every replica runs it: a
/// delete another replica has just done finds nothing, so they need no leader.
/// </summary>
public sealed partial class NameLockoutPurge(NameLockouts lockouts, TimeProvider clock, ILogger<NameLockoutPurge> logger) : BackgroundService
{
    static readonly TimeSpan Period = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await lockouts.PurgeForgottenAsync(stoppingToken) is > 0 and var purged)
                {
                    LogPurged(purged);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogPurgeFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Forgot the failed sign-ins of {Count} user names")]
    partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging forgotten failed sign-ins failed; retrying next hour")]
    partial void LogPurgeFailed(Exception exception);
}
