using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace Sensors360.AppHost.Infrastructure;

/// <summary>
/// The HTTPS certificate (<c>Tls:*</c>, see <see cref="Aspire.Hosting.TlsExtensions"/>) in the form RabbitMQ reads
/// for MQTT over TLS: PEM, the certificate chain and an unencrypted PKCS#8 key. Erlang reads neither a PFX nor an
/// encrypted key, so both are converted here, once, at start.
/// </summary>
public sealed record MqttTlsCertificate(string ChainPem, string KeyPem)
{
    /// <summary>Null when no certificate is configured.</summary>
    public static MqttTlsCertificate? From(IConfiguration configuration)
    {
        var path = configuration["Tls:CertificatePath"];
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }
        var keyPath = configuration["Tls:KeyPath"];
        var password = configuration["Tls:CertificatePassword"];
        try
        {
            return string.IsNullOrWhiteSpace(keyPath) ? FromPfx(path, password) : FromPem(path, keyPath, password);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"Tls:CertificatePath '{path}' cannot be read for MQTT over TLS (a PFX with Tls:CertificatePassword, or a PEM certificate with Tls:KeyPath): {ex.Message}", ex);
        }
    }

    static MqttTlsCertificate FromPfx(string path, string? password)
    {
        var all = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, password, X509KeyStorageFlags.Exportable);
        try
        {
            var leaf = all.FirstOrDefault(c => c.HasPrivateKey)
                ?? throw new InvalidOperationException($"Tls:CertificatePath '{path}' holds no certificate with its private key.");
            // The server's own certificate first, then whatever else the PFX carries (its chain).
            var chain = string.Concat(all.Where(c => c != leaf).Prepend(leaf).Select(c => c.ExportCertificatePem() + "\n"));
            return new(chain, ExportKey(leaf));
        }
        finally
        {
            foreach (var certificate in all)
            {
                certificate.Dispose();
            }
        }
    }

    static MqttTlsCertificate FromPem(string path, string keyPath, string? password)
    {
        using var leaf = string.IsNullOrEmpty(password)
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
        // The certificate file as given keeps its chain; only its certificates are passed on.
        var chain = new System.Text.StringBuilder();
        var text = File.ReadAllText(path);
        foreach (var block in Blocks(text).Where(b => b.Label == "CERTIFICATE"))
        {
            chain.Append(block.Text).Append('\n');
        }
        return new(chain.ToString(), ExportKey(leaf));
    }

    static IEnumerable<(string Label, string Text)> Blocks(string text)
    {
        var rest = text.AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            yield return (rest.Span[fields.Label].ToString(), rest.Span[fields.Location].ToString());
            rest = rest[fields.Location.End.Value..];
        }
    }

    static string ExportKey(X509Certificate2 certificate)
    {
        using var key = certificate.GetRSAPrivateKey() as AsymmetricAlgorithm ?? certificate.GetECDsaPrivateKey()
            ?? throw new InvalidOperationException("Only RSA and ECDSA certificates can serve MQTT over TLS.");
        return key.ExportPkcs8PrivateKeyPem();
    }
}
