using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Alerting.Service.Webhooks;

/// <summary>Webhook secrets and the signature a receiver checks: HMAC-SHA256 over <c>"{timestamp}.{body}"</c>.</summary>
public static class WebhookSigning
{
    public const string SecretPrefix = "whsec_";

    /// <summary>256 random bits, base64url, behind a prefix secret scanners can recognise.</summary>
    public static string NewSecret() => SecretPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <returns><c>sha256=</c> and the lower-case hex HMAC, keyed with the secret's UTF-8 bytes (prefix included).</returns>
    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.UTF8.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + "."));
        hmac.AppendData(body);
        return "sha256=" + Convert.ToHexStringLower(hmac.GetHashAndReset());
    }
}
