using Alerting.Service.Channels;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Alerting.Service.Delivery;

/// <summary>Sends a message to an email channel's recipients through the configured SMTP server (MailKit).</summary>
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

        using var client = new SmtpClient { Timeout = (int)delivery.Value.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(options.Host!, options.Port, options.Security, cancellationToken);
            if (!string.IsNullOrEmpty(options.UserName))
            {
                await client.AuthenticateAsync(options.UserName, options.Password ?? "", cancellationToken);
            }
            await client.SendAsync(mail, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return SendOutcome.Delivered;
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
}
