using System.ComponentModel.DataAnnotations;
using MailKit.Security;
using MimeKit;

namespace Alerting.Service.Delivery;

/// <summary>The <c>Alerting:Smtp</c> section: the mail server email channels send through. No host: no email channels.</summary>
public sealed class SmtpOptions : IValidatableObject
{
    public const string Section = "Alerting:Smtp";

    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary>
    /// How the connection is secured: StartTls (required, so a sign-in is never sent in clear), SslOnConnect (port 465),
    /// None, or Auto (STARTTLS only when the server offers it; refused with a sign-in, which could then go in clear).
    /// </summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTls;

    /// <summary>The sender, e.g. <c>Sensors 360 &lt;alerts@example.com&gt;</c>.</summary>
    public string? From { get; set; }

    /// <summary>Sign in with these when given.</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }

    public bool Configured => !string.IsNullOrWhiteSpace(Host);

    public MailboxAddress Sender() => MailboxAddress.Parse(From!);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Configured)
        {
            yield break;
        }
        if (string.IsNullOrWhiteSpace(From) || !MailboxAddress.TryParse(From, out _))
        {
            yield return new ValidationResult(
                $"From: '{From}' is not an email address; with a Host set, give the sender, e.g. \"Sensors 360 <alerts@example.com>\".", [nameof(From)]);
        }
        if (!string.IsNullOrEmpty(UserName) && Security is not (SecureSocketOptions.StartTls or SecureSocketOptions.SslOnConnect))
        {
            yield return new ValidationResult(
                $"Security: {Security} could send the password in clear; with a UserName use StartTls or SslOnConnect.", [nameof(Security)]);
        }
        if (string.IsNullOrEmpty(UserName) != string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("UserName and Password go together: give both or neither.", [nameof(UserName), nameof(Password)]);
        }
    }
}
