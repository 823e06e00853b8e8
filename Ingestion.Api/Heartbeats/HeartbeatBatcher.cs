using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using MassTransit;
using Microsoft.Extensions.Options;
using Sensors360.Contracts;
using Sensors360.Messaging;

namespace Ingestion.Api.Heartbeats;

/// <summary>The outcome of one request's heartbeats: the batch that carried them, or why they were not sent.</summary>
public readonly record struct SubmitResult(Guid? BatchId, string? Failure)
{
    public bool Confirmed => BatchId is not null;
}

/// <summary>
/// Micro-batches concurrent requests into one <see cref="HeartbeatsReceived"/> message per batch, sent to the
/// durable heartbeats queue with publisher confirms; each request completes when its batch is confirmed.
/// A request is never split across messages, so a failed send leaves nothing of it half-queued.
/// </summary>
public sealed partial class HeartbeatBatcher(
    IBus bus, IOptions<IngestionOptions> options, IOptions<MessagingOptions> messaging, IMeterFactory meters,
    ILogger<HeartbeatBatcher> logger)
    : BackgroundService
{
    sealed record Pending(IReadOnlyList<Heartbeat> Items, TaskCompletionSource<SubmitResult> Done);

    readonly Uri _heartbeatsQueue = messaging.Value.SendAddress(QueueNames.Heartbeats);

    readonly IngestionOptions _options = options.Value;
    readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.Value.MaxQueuedRequests)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    readonly Histogram<int> _batchSize = meters.Create(Extensions.ProductMeter).CreateHistogram<int>(
        "sensors360.ingestion.batch_size", "{heartbeat}", "Heartbeats per message sent to the broker");
    readonly Histogram<double> _confirmTime = meters.Create(Extensions.ProductMeter).CreateHistogram<double>(
        "sensors360.ingestion.confirm_duration", "s", "From sending a batch to the broker's confirm");

    /// <summary>Completes when the broker confirmed the batch carrying these heartbeats, or with the reason it did not.</summary>
    public async Task<SubmitResult> SubmitAsync(IReadOnlyList<Heartbeat> items, CancellationToken cancellationToken)
    {
        var pending = new Pending(items, new(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            return new(null, "The API is at capacity: too many requests are waiting for the broker.");
        }

        try
        {
            // Bounded even if the broker never answers: the send has its own timeout, this is the backstop.
            return await pending.Done.Task.WaitAsync(_options.PublishTimeout + TimeSpan.FromMilliseconds(500), cancellationToken);
        }
        catch (TimeoutException)
        {
            return new(null, $"The message broker did not confirm within {_options.PublishTimeout.TotalSeconds:0.#} s.");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(_options.MaxConcurrentPublishes);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                // While every slot awaits a confirm, requests pile up in the channel and the next batch grows.
                await slots.WaitAsync(stoppingToken);
                var batch = new List<Pending>();
                var count = Drain(reader, batch, 0);
                if (count < _options.BatchMaxItems && _options.BatchLinger > TimeSpan.Zero)
                {
                    using var linger = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    linger.CancelAfter(_options.BatchLinger);
                    try
                    {
                        while (count < _options.BatchMaxItems && await reader.WaitToReadAsync(linger.Token))
                        {
                            var before = count;
                            count = Drain(reader, batch, count);
                            if (count == before)
                            {
                                break;   // the next request would overflow this batch
                            }
                        }
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                    }
                }

                _ = SendAsync(batch, count).ContinueWith(_ => slots.Release(), TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        _queue.Writer.TryComplete();
        while (reader.TryRead(out var left))
        {
            left.Done.TrySetResult(new(null, "The API is shutting down."));
        }
    }

    int Drain(ChannelReader<Pending> reader, List<Pending> batch, int count) =>
        ChannelBatches.Drain(reader, batch, count, _options.BatchMaxItems, pending => pending.Items.Count);

    async Task SendAsync(List<Pending> batch, int count)
    {
        var items = new Heartbeat[count];
        var offset = 0;
        foreach (var pending in batch)
        {
            foreach (var item in pending.Items)
            {
                items[offset++] = item;
            }
        }

        var message = new HeartbeatsReceived(NewId.NextGuid(), items);
        SubmitResult result;
        try
        {
            using var timeout = new CancellationTokenSource(_options.PublishTimeout);
            var started = Stopwatch.GetTimestamp();
            var endpoint = await bus.GetSendEndpoint(_heartbeatsQueue);
            // Persistent message, and with publisher confirms this completes only once the broker has it; mandatory,
            // so a batch that reaches no queue fails rather than being confirmed and dropped.
            await endpoint.Send(message, context =>
            {
                context.Durable = true;
                context.SetMandatory();
            }, timeout.Token);
            _confirmTime.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            _batchSize.Record(count);
            result = new(message.BatchId, null);
        }
        catch (OperationCanceledException)
        {
            result = new(null, $"The message broker did not confirm within {_options.PublishTimeout.TotalSeconds:0.#} s.");
        }
        catch (Exception ex)
        {
            LogSendFailed(ex, message.BatchId, count);
            result = new(null, "The message broker is unavailable.");
        }

        foreach (var pending in batch)
        {
            pending.Done.TrySetResult(result);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending batch {BatchId} of {Count} heartbeats failed")]
    partial void LogSendFailed(Exception exception, Guid batchId, int count);
}
