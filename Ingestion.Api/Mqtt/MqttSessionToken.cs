using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ingestion.Api.Mqtt;

/// <summary>
/// A short-lived password with which this service signs in to the broker's management API as a device's own user,
/// to close that device's connections: RabbitMQ lets a user close its own connections without any administrator
/// right, so the service needs none. Signed with the broker key, so any ingestion replica can check it when the
/// broker asks; it says nothing about sending heartbeats.
/// </summary>
public static class MqttSessionToken
{
    const string Prefix = "s360m_";
    static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    public static string Create(string userName, string brokerKey, DateTimeOffset now)
    {
        var expires = (now + Lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"{Prefix}{expires}_{Mac(userName, expires, brokerKey)}";
    }

    /// <summary>True for a token that looks like one (whether valid or not): it is never a device key.</summary>
    public static bool IsToken(string password) => password.StartsWith(Prefix, StringComparison.Ordinal);

    public static bool IsValid(string userName, string password, string brokerKey, DateTimeOffset now)
    {
        var parts = password.Length > Prefix.Length ? password[Prefix.Length..].Split('_', 2) : [];
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            && now.ToUnixTimeSeconds() <= expires
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(parts[1]), Encoding.ASCII.GetBytes(Mac(userName, parts[0], brokerKey)));
    }

    static string Mac(string userName, string expires, string brokerKey) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(brokerKey), Encoding.UTF8.GetBytes($"management\n{userName}\n{expires}")));
}
