using Alerting.Service.Channels;
using Alerting.Service.Delivery;
using MailKit.Security;
using Microsoft.Extensions.Options;
using Sensors360.TestSupport;

namespace Alerting.Service.Tests;

/// <summary>The email sender against a real SMTP server (<see cref="SmtpInbox"/>) that refuses one domain's mailboxes.</summary>
public sealed class EmailSenderTests : IAsyncLifetime
{
    static readonly AlertMessage Message = new("Sensors 360: sensor pump-1 is down", "Sensors 360 — 1 sensor needs attention (1 event):",
        ["pump-1 (#1): late → down at 2026-12-07 03:00:00Z"], 1);

    readonly SmtpInbox _inbox = new();

    EmailSender Sender() => new(
        Options.Create(new SmtpOptions
        {
            Host = "127.0.0.1", Port = _inbox.Port, Security = SecureSocketOptions.None, From = "Sensors 360 <alerts@sensors360.test>",
        }),
        Options.Create(new DeliveryOptions()));

    static AlertChannel Channel(params string[] recipients) => new() { Name = "on-call", Kind = ChannelKinds.Email, Recipients = recipients };

    [Fact]
    public async Task A_refused_recipient_does_not_keep_the_alert_from_the_others_and_is_named()
    {
        var outcome = await Sender().SendAsync(
            Channel("ops@site.test", $"gone@{SmtpInbox.RefusedDomain}", "lead@site.test"), Message, CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(["ops@site.test", "lead@site.test"], _inbox.EnvelopeRecipients);
        Assert.Equal("Sensors 360: sensor pump-1 is down", Assert.Single(_inbox.Received).Subject);
        Assert.StartsWith($"Delivered except to gone@{SmtpInbox.RefusedDomain} refused (550 ", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_every_recipient_refused_nothing_is_sent_and_the_failure_is_permanent()
    {
        var outcome = await Sender().SendAsync(
            Channel($"a@{SmtpInbox.RefusedDomain}", $"b@{SmtpInbox.RefusedDomain}"), Message, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.True(outcome.Permanent);
        Assert.Empty(_inbox.Received);
        Assert.Contains($"a@{SmtpInbox.RefusedDomain} refused (550", outcome.Error, StringComparison.Ordinal);
        Assert.Contains($"b@{SmtpInbox.RefusedDomain} refused (550", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recipients_refused_for_now_are_tried_again_when_none_was_accepted_and_named_when_others_were()
    {
        var busy = await Sender().SendAsync(Channel($"a@{SmtpInbox.BusyDomain}", $"b@{SmtpInbox.RefusedDomain}"), Message, CancellationToken.None);

        Assert.False(busy.Succeeded);
        Assert.False(busy.Permanent);
        Assert.Contains($"a@{SmtpInbox.BusyDomain} refused (450", busy.Error, StringComparison.Ordinal);
        Assert.Empty(_inbox.Received);

        var partly = await Sender().SendAsync(Channel("ops@site.test", $"a@{SmtpInbox.BusyDomain}"), Message, CancellationToken.None);

        Assert.True(partly.Succeeded, partly.Error);
        Assert.StartsWith($"Delivered except to a@{SmtpInbox.BusyDomain} refused (450 ", partly.Error, StringComparison.Ordinal);
        Assert.Equal(["ops@site.test"], _inbox.EnvelopeRecipients);
    }

    [Fact]
    public async Task Every_accepted_recipient_gets_the_message_once()
    {
        var outcome = await Sender().SendAsync(Channel("ops@site.test", "lead@site.test"), Message, CancellationToken.None);

        Assert.Equal(SendOutcome.Delivered, outcome);
        Assert.Equal(["ops@site.test", "lead@site.test"], _inbox.EnvelopeRecipients);
        Assert.Contains("pump-1 (#1): late → down", Assert.Single(_inbox.Received).TextBody, StringComparison.Ordinal);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _inbox.DisposeAsync();
}
