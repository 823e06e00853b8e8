using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Sensors360.Contracts;

/// <summary>
/// Sensor keys, collector keys and operators' bearer tokens: 256 random bits, base64url, behind a recognisable prefix (so leaked keys can be
/// found by secret scanners). Only the SHA-256 of a key is ever stored; a fast hash is enough because the key
/// itself has 256 bits of entropy (unlike a password).
/// </summary>
public static class ApiKeys
{
    public const string SensorPrefix = "s360s_";
    public const string CollectorPrefix = "s360c_";
    public const string BearerTokenPrefix = "s360t_";

    public static string NewSensorKey() => SensorPrefix + RandomPart();

    public static string NewCollectorKey() => CollectorPrefix + RandomPart();

    /// <summary>An operator's bearer token (Realtime.Gateway: API tokens and access tokens).</summary>
    public static string NewBearerToken() => BearerTokenPrefix + RandomPart();

    /// <returns>Lower-case hex SHA-256 of the key's UTF-8 bytes (64 characters).</returns>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    static string RandomPart() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
