using Alerting.Service.Channels;
using Alerting.Service.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Alerting.Service.Delivery;

/// <summary>
/// Sends what channels have waiting: once a channel's oldest waiting alert is due (its rule's group window has passed)
/// and no back-off holds it, everything the channel has waiting goes out as one message. A failed attempt is tried again
/// after <see cref="DeliveryOptions.RetryDelay"/>; after the last one the alerts are given up and the failure is kept in
/// the delivery history. Replicas share the work: a channel is sent by whoever locks its row.
/// </summary>
public sealed partial class AlertDispatcher(
    IServiceScopeFactory scopes,
    EmailSender email,
    ChatSender chat,
    AlertingMetrics metrics,
    IOptions<DeliveryOptions> options,
    TimeProvider clock,
    ILogger<AlertDispatcher> logger) : BackgroundService
{
    DateTimeOffset _nextPrune;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, clock);
        do
        {
            try
            {
                await SendDueAsync(stoppingToken);
                await PruneAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogPassFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Sends every channel that has a message due; returns how many were attempted.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        List<long> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AlertingDbContext>();
            var now = clock.GetUtcNow();
            due = await db.PendingAlerts.Where(a => a.DueAt <= now)
                .Join(db.Channels.Where(c => c.RetryAt == null || c.RetryAt <= now), a => a.ChannelId, c => c.Id, (a, c) => c.Id)
                .Distinct().ToListAsync(cancellationToken);
        }
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(due, parallel, async (id, ct) =>
        {
            try
            {
                await SendAsync(id, ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // Its alerts stay waiting and are tried on the next pass; the other channels go on.
                LogChannelFailed(ex, id);
            }
        });
        return due.Count;
    }

    async Task SendAsync(long channelId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AlertingDbContext>();
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // Held until the message's outcome is recorded: another replica skips this channel meanwhile. NO KEY: alerts
            // routed to the channel meanwhile (a foreign key to this row) are still inserted, not held up by the send.
            var channel = (await db.Channels
                .FromSql($"SELECT * FROM alerting.alert_channels WHERE id = {channelId} FOR NO KEY UPDATE SKIP LOCKED")
                .ToListAsync(ct)).SingleOrDefault();
            var now = clock.GetUtcNow();
            if (channel is null || channel.RetryAt > now)
            {
                return;
            }
            var alerts = await db.PendingAlerts.Where(a => a.ChannelId == channelId)
                .OrderBy(a => a.Id).Take(options.Value.MaxAlertsPerMessage).ToListAsync(ct);
            if (alerts.Count == 0 || alerts.Min(a => a.DueAt) > now)
            {
                return;
            }
            var message = AlertMessage.Compose(channel.Name, alerts);
            var outcome = channel.Kind == ChannelKinds.Email
                ? await email.SendAsync(channel, message, ct)
                : await chat.SendAsync(channel, message, ct);
            Record(db, channel, alerts, message, outcome, clock.GetUtcNow());
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }, cancellationToken);
    }

    void Record(AlertingDbContext db, AlertChannel channel, List<PendingAlert> alerts, AlertMessage message, SendOutcome outcome, DateTimeOffset now)
    {
        var attempts = channel.FailedAttempts + 1;
        channel.LastAttemptAt = now;
        channel.LastError = outcome.Error;
        var finished = outcome.Succeeded || outcome.Permanent || attempts >= options.Value.MaxAttempts;
        if (!finished)
        {
            channel.FailedAttempts = attempts;
            channel.RetryAt = now + options.Value.RetryDelay(attempts);
            LogRetrying(channel.Id, attempts, channel.RetryAt.Value, outcome.Error);
            return;
        }
        if (outcome.Succeeded)
        {
            channel.LastSuccessAt = now;
            channel.DeliveriesSucceeded++;
            if (outcome.Error is { } warning)
            {
                LogDeliveredInPart(channel.Id, message.Alerts, warning);
            }
        }
        else
        {
            channel.DeliveriesFailed++;
            LogGivenUp(channel.Id, message.Alerts, attempts, outcome.Error);
        }
        channel.FailedAttempts = 0;
        channel.RetryAt = null;
        db.PendingAlerts.RemoveRange(alerts);
        db.Deliveries.Add(new AlertDelivery
        {
            ChannelId = channel.Id, At = now, Succeeded = outcome.Succeeded, Attempts = attempts, Alerts = message.Alerts,
            Subject = DeliveryAnswers.Shorten(message.Subject, AlertDelivery.MaxSubjectLength), Error = outcome.Error,
        });
        metrics.AlertsSent(channel.Kind, outcome.Succeeded, message.Alerts);
    }

    async Task PruneAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now < _nextPrune)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AlertingDbContext>();
        var before = now - options.Value.KeepDeliveriesFor;
        await db.Deliveries.Where(d => d.At < before).ExecuteDeleteAsync(cancellationToken);
        _nextPrune = now.AddHours(1);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending due alerts failed; they stay waiting and are tried again")]
    partial void LogPassFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert channel {ChannelId}: sending what waits for it failed; it stays waiting")]
    partial void LogChannelFailed(Exception exception, long channelId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert channel {ChannelId}: attempt {Attempt} failed, next at {RetryAt}: {Error}")]
    partial void LogRetrying(long channelId, int attempt, DateTimeOffset retryAt, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert channel {ChannelId}: {Alerts} alert(s) delivered, but not to all: {Warning}")]
    partial void LogDeliveredInPart(long channelId, int alerts, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert channel {ChannelId}: {Alerts} alert(s) given up after {Attempts} attempt(s): {Error}")]
    partial void LogGivenUp(long channelId, int alerts, int attempts, string? error);
}
