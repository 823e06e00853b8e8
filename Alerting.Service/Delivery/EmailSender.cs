using Alerting.Service.Channels;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Alerting.Service.Delivery;

/// <summary>
/// Sends a message to an email channel's recipients through the configured SMTP server (MailKit). A recipient the
/// server refuses does not keep the alert from the others: it is delivered to those accepted, and the refused ones
/// are named in the outcome's error, which the channel and its delivery history show.
/// </summary>
public sealed class EmailSender(IOptions<SmtpOptions> smtp, IOptions<DeliveryOptions> delivery)
{
    public async Task<SendOutcome> SendAsync(AlertChannel channel, AlertMessage message, CancellationToken cancellationToken)
    {
        var options = smtp.Value;
        if (!options.Configured)
        {
            return SendOutcome.Failed("No SMTP server is configured (Alerting:Smtp:Host).", permanent: true);
        }
        var mail = new MimeMessage();
        mail.From.Add(options.Sender());
        mail.To.AddRange(channel.Recipients.Select(MailboxAddress.Parse));
        mail.Subject = message.Subject;
        mail.Body = new TextPart("plain") { Text = message.Text + "\n\n— Sensors 360 alert channel \"" + channel.Name + "\"\n" };

        using var client = new RecipientTolerantSmtpClient { Timeout = (int)delivery.Value.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(options.Host!, options.Port, options.Security, cancellationToken);
            if (!string.IsNullOrEmpty(options.UserName))
            {
                await client.AuthenticateAsync(options.UserName, options.Password ?? "", cancellationToken);
            }
            await client.SendAsync(mail, cancellationToken);
            await QuitAsync(client, cancellationToken);
            return client.Refused.Count == 0
                ? SendOutcome.Delivered
                : SendOutcome.DeliveredWithWarning($"Delivered except to {Refusals(client.Refused)}.");
        }
        catch (NoRecipientAcceptedException)
        {
            // "Mailbox full" (4xx) may pass later; "no such user" (5xx) will not.
            return SendOutcome.Failed($"The SMTP server accepted none of the recipients: {Refusals(client.Refused)}.",
                permanent: client.Refused.All(r => (int)r.Answer.StatusCode >= 500));
        }
        // A 5xx answer (no such mailbox, relaying refused) is the same on every attempt; 4xx and the rest may pass.
        catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
        {
            return SendOutcome.Failed($"The SMTP server refused it: {(int)ex.StatusCode} {ex.Message}", permanent: true);
        }
        catch (AuthenticationException ex)
        {
            return SendOutcome.Failed($"The SMTP server refused the sign-in (Alerting:Smtp:UserName): {ex.Message}", permanent: true);
        }
        // The server wants a sign-in, or has no STARTTLS while Security asks for it: a setting to change, not a retry.
        catch (Exception ex) when (ex is ServiceNotAuthenticatedException or NotSupportedException)
        {
            return SendOutcome.Failed($"Could not send through {options.Host}:{options.Port} as configured (Alerting:Smtp): {ex.Message}", permanent: true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return SendOutcome.Failed($"Could not send through {options.Host}:{options.Port}: {ex.Message}");
        }
    }

    // The message is accepted once SendAsync returns: a failure to say goodbye must not make it count as failed and be
    // sent again to everyone.
    static async Task QuitAsync(SmtpClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
        }
    }

    static string Refusals(List<(string Address, SmtpResponse Answer)> refused) =>
        string.Join("; ", refused.Select(r => $"{r.Address} refused ({(int)r.Answer.StatusCode} {r.Answer.Response.Trim()})"));

    /// <summary>MailKit's default gives up the whole message at the first recipient the server refuses.</summary>
    sealed class RecipientTolerantSmtpClient : SmtpClient
    {
        public List<(string Address, SmtpResponse Answer)> Refused { get; } = [];

        protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
            Refused.Add((mailbox.Address, response));

        // With every recipient refused MailKit would throw a 554 of its own, which would make refusals that may pass
        // later (4xx) look permanent: this stops first, and the refusals decide.
        protected override void OnNoRecipientsAccepted(MimeMessage message) => throw new NoRecipientAcceptedException();
    }

    sealed class NoRecipientAcceptedException : Exception;
}
