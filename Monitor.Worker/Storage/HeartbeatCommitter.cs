using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Monitor.Worker.Monitoring;
using Sensors360.Contracts;
using Sensors360.Messaging;
using Sensors360.Monitoring.Liveness;

namespace Monitor.Worker.Storage;

/// <summary>
/// Group commit for the heartbeats queue: every message received waits here, and whenever the writer is free it stores
/// all that waited (up to <see cref="MonitorOptions.MaxBatchHeartbeats"/>) in one transaction.
/// Under load the transactions grow by themselves, with no batch timer; when quiet a message is stored at once.
/// Each message learns the outcome of its own heartbeats, so its consumer acknowledges it only after the commit.
/// </summary>
public sealed partial class HeartbeatCommitter(
    HeartbeatWriter writer, IOptions<MonitorOptions> options, MonitorMetrics metrics, ILogger<HeartbeatCommitter> logger)
    : BackgroundService
{
    sealed record Pending(IReadOnlyList<Heartbeat> Items, TaskCompletionSource Done);

    readonly Channel<Pending> _waiting = Channel.CreateUnbounded<Pending>(new() { SingleReader = true });

    /// <summary>Completes once these heartbeats are committed; throws what stopped them from being stored.</summary>
    public async Task StoreAsync(IReadOnlyList<Heartbeat> items, CancellationToken cancellationToken)
    {
        var pending = new Pending(items, new(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_waiting.Writer.TryWrite(pending))
        {
            throw new OperationCanceledException("The worker is stopping.");
        }
        await pending.Done.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _waiting.Reader;
        var group = new List<Pending>();
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                group.Clear();
                ChannelBatches.Drain(reader, group, 0, options.Value.MaxBatchHeartbeats, pending => pending.Items.Count);
                await CommitAsync(group, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        _waiting.Writer.TryComplete();
        while (reader.TryRead(out var left))
        {
            left.Done.TrySetCanceled(stoppingToken);
        }
    }

    async Task CommitAsync(List<Pending> group, CancellationToken cancellationToken)
    {
        Heartbeat[] heartbeats = [.. group.SelectMany(pending => pending.Items)];
        try
        {
            await writer.WriteAsync(heartbeats, cancellationToken);
            metrics.Stored(heartbeats.Length);
            group.ForEach(p => p.Done.TrySetResult());
        }
        catch (Exception ex) when (group.Count > 1 && !TransientDatabaseFaults.IsTransient(ex) && ex is not OperationCanceledException)
        {
            // One message can never be stored (e.g. a timestamp outside every partition): store the others one by one,
            // so that only that one fails (and its consumer's retry policy parks it in heartbeats_error).
            LogSplitting(ex, group.Count);
            foreach (var pending in group)
            {
                await CommitAsync([pending], cancellationToken);
            }
        }
        catch (Exception ex)
        {
            group.ForEach(p => p.Done.TrySetException(ex));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A transaction of {Count} messages could not be stored; storing them one by one")]
    partial void LogSplitting(Exception exception, int count);
}
