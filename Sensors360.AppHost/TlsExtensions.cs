namespace Aspire.Hosting;

public static class TlsExtensions
{
    /// <summary>
    /// When <c>Tls:CertificatePath</c> is configured (a PFX with <c>Tls:CertificatePassword</c>, or a PEM certificate
    /// with <c>Tls:KeyPath</c>), the project also serves HTTPS with that certificate on an "https" endpoint — on the
    /// port in <paramref name="portKey"/> when set. Plain HTTP then stays open for what must work without TLS (sensors on
    /// legacy firmware posting heartbeats, health probes); the services redirect or refuse the rest (see HttpsOnly).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithConfiguredHttps(this IResourceBuilder<ProjectResource> project, string portKey)
    {
        var configuration = project.ApplicationBuilder.Configuration;
        var certificate = configuration["Tls:CertificatePath"];
        if (string.IsNullOrWhiteSpace(certificate))
        {
            return project;
        }
        if (!File.Exists(certificate))
        {
            throw new InvalidOperationException($"Tls:CertificatePath points to '{certificate}', which does not exist.");
        }

        int? port = null;
        if (configuration[portKey] is { Length: > 0 } value)
        {
            port = int.TryParse(value, out var parsed) && parsed is >= 1 and <= 65535
                ? parsed
                : throw new InvalidOperationException($"{portKey} must be a TCP port (1-65535), not '{value}'.");
        }

        project.WithHttpsEndpoint(port: port, name: "https")
            .WithEnvironment("Kestrel__Certificates__Default__Path", Path.GetFullPath(certificate))
            // The public port, where plain-HTTP page requests are redirected to (the service itself listens behind a proxy).
            .WithEnvironment("ASPNETCORE_HTTPS_PORT", project.GetEndpoint("https").Property(EndpointProperty.Port));
        if (configuration["Tls:KeyPath"] is { Length: > 0 } key)
        {
            project.WithEnvironment("Kestrel__Certificates__Default__KeyPath", Path.GetFullPath(key));
        }
        if (configuration["Tls:CertificatePassword"] is { Length: > 0 } password)
        {
            project.WithEnvironment("Kestrel__Certificates__Default__Password", password);
        }
        return project;
    }
}
