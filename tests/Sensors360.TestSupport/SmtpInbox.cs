using System.Buffers;
using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Sensors360.TestSupport;

/// <summary>
/// A real SMTP server on a free loopback port (the SmtpServer library) that keeps every message it receives, for tests
/// of what the alerting service sends. Plain SMTP without TLS or sign-in: give the service Alerting:Smtp:Security=None.
/// Recipients at <see cref="RefusedDomain"/> are refused (550), as a server refuses an unknown mailbox, and those at
/// <see cref="BusyDomain"/> for now (450), as a greylisting or overloaded one does.
/// </summary>
public sealed class SmtpInbox : IAsyncDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly Task _serving;
    readonly ConcurrentQueue<MimeMessage> _received = new();
    readonly ConcurrentQueue<string> _envelopeRecipients = new();

    public const string RefusedDomain = "refused.test";
    public const string BusyDomain = "busy.test";

    public int Port { get; } = Ports.Free();

    public SmtpInbox()
    {
        var options = new SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(_received, _envelopeRecipients));
        services.Add(new RefuseDomain());
        _serving = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public IReadOnlyList<MimeMessage> Received => [.. _received];

    /// <summary>Every address a received message was delivered to (its envelope, not its headers), in order.</summary>
    public IReadOnlyList<string> EnvelopeRecipients => [.. _envelopeRecipients];

    /// <summary>Makes the alerting service <paramref name="service"/> send its email here.</summary>
    public IResourceBuilder<ProjectResource> Receive(IResourceBuilder<ProjectResource> service) => service
        .WithEnvironment("Alerting__Smtp__Host", "127.0.0.1")
        .WithEnvironment("Alerting__Smtp__Port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .WithEnvironment("Alerting__Smtp__Security", "None")
        .WithEnvironment("Alerting__Smtp__From", "Sensors 360 <alerts@sensors360.test>");

    /// <summary>The first message <paramref name="match"/> accepts, polling until <paramref name="timeout"/>; null if none came.</summary>
    public async Task<MimeMessage?> WaitForAsync(Func<MimeMessage, bool> match, TimeSpan timeout)
    {
        MimeMessage? found = null;
        await Poll.UntilAsync(() => Task.FromResult((found = _received.FirstOrDefault(match)) is not null), timeout);
        return found;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _serving;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    sealed class Store(ConcurrentQueue<MimeMessage> received, ConcurrentQueue<string> envelopeRecipients) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            foreach (var to in transaction.To)
            {
                envelopeRecipients.Enqueue($"{to.User}@{to.Host}");
            }
            using var stream = new MemoryStream(buffer.ToArray());
            received.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }

    sealed class RefuseDomain : MailboxFilter
    {
        public override Task<bool> CanDeliverToAsync(ISessionContext context, SmtpServer.Mail.IMailbox to, SmtpServer.Mail.IMailbox from, CancellationToken cancellationToken) =>
            string.Equals(to.Host, BusyDomain, StringComparison.OrdinalIgnoreCase)
                ? throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)450, "mailbox busy, try again later"))
                : Task.FromResult(!string.Equals(to.Host, RefusedDomain, StringComparison.OrdinalIgnoreCase));
    }
}
