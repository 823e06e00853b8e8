using System.Threading.Channels;
using MassTransit;

namespace Ingestion.Api.Credentials;

/// <summary>Asks <see cref="CredentialLoader"/> for a full reload now rather than at the end of its period.</summary>
public sealed class CredentialReloads
{
    readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Request() => _requests.Writer.TryWrite(true);

    /// <summary>Completes when a reload was requested (and takes the request).</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        await _requests.Reader.WaitToReadAsync(cancellationToken);
        _requests.Reader.TryRead(out _);
    }
}

/// <summary>
/// Registry events reach this instance through a temporary queue, which goes away with the broker: events published
/// between a broker restart and the queue's return are lost. So each time the endpoint is ready again, every
/// credential is reloaded — after the queue exists, so that nothing falls between the reload and the events.
/// </summary>
public sealed class ReloadCredentialsOnReconnect(CredentialReloads reloads) : IReceiveEndpointObserver
{
    int _readyCount;

    public Task Ready(ReceiveEndpointReady ready)
    {
        if (Interlocked.Increment(ref _readyCount) > 1)
        {
            reloads.Request();
        }
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
}
