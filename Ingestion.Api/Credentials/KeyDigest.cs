using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Ingestion.Api.Credentials;

/// <summary>
/// SHA-256 of a key as two 128-bit halves: a compact, allocation-free dictionary key (a million sensors cost
/// 32 bytes each instead of a 64-character hex string).
/// </summary>
public readonly record struct KeyDigest(UInt128 High, UInt128 Low)
{
    const int MaxStackKeyBytes = 256;

    /// <param name="key">The key as presented: a slice of the request header, so it is never copied to a string.</param>
    public static KeyDigest OfKey(ReadOnlySpan<char> key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var byteCount = Encoding.UTF8.GetMaxByteCount(key.Length);
        if (byteCount <= MaxStackKeyBytes)
        {
            Span<byte> utf8 = stackalloc byte[MaxStackKeyBytes];
            SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(key, utf8)], hash);
        }
        else
        {
            var utf8 = new byte[Encoding.UTF8.GetByteCount(key)];
            SHA256.HashData(utf8.AsSpan(0, Encoding.UTF8.GetBytes(key, utf8)), hash);
        }
        return FromBytes(hash);
    }

    /// <summary>Parses the 64-character hex hash the registry stores and publishes.</summary>
    public static KeyDigest FromHex(string hex)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        if (hex.Length != 2 * SHA256.HashSizeInBytes || Convert.FromHexString(hex, hash, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            throw new FormatException("A key hash is 64 hexadecimal characters.");
        }
        return FromBytes(hash);
    }

    /// <summary>The 64-character lower-case hex form the registry stores.</summary>
    public string ToHex()
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        BinaryPrimitives.WriteUInt128BigEndian(hash, High);
        BinaryPrimitives.WriteUInt128BigEndian(hash[16..], Low);
        return Convert.ToHexStringLower(hash);
    }

    static KeyDigest FromBytes(ReadOnlySpan<byte> hash) =>
        new(BinaryPrimitives.ReadUInt128BigEndian(hash), BinaryPrimitives.ReadUInt128BigEndian(hash[16..]));
}
