using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Sensors360.IntegrationTests.Backups;

/// <summary>
/// An S3-compatible server of the test's own: the npm package s3rver (installed into .tools/s3rver on first use) over
/// HTTPS with a throwaway self-signed certificate (pgBackRest speaks only HTTPS to S3), one bucket, path-style URIs.
/// Disposing kills it and deletes its data.
/// </summary>
public sealed class LocalS3Server : IAsyncDisposable
{
    const string Package = "s3rver@3.7.1";
    const string Bucket = "sensors360-backups";
    /// <summary>s3rver's built-in credentials; it checks the requests' signatures against them.</summary>
    const string Key = "S3RVER";

    readonly string _directory = Directory.CreateTempSubdirectory("sensors360-s3-").FullName;
    readonly int _port = Ports.Free();
    readonly ConcurrentQueue<string> _output = new();
    Process? _server;

    /// <summary>The settings eng/backup.sh takes to put the repository here.</summary>
    public IReadOnlyDictionary<string, string?> BackupSettings => new Dictionary<string, string?>
    {
        ["SENSORS360_BACKUP_S3_BUCKET"] = Bucket,
        ["SENSORS360_BACKUP_S3_ENDPOINT"] = $"127.0.0.1:{_port}",
        ["SENSORS360_BACKUP_S3_KEY"] = Key,
        ["SENSORS360_BACKUP_S3_KEY_SECRET"] = Key,
        ["SENSORS360_BACKUP_S3_URI_STYLE"] = "path",
        ["SENSORS360_BACKUP_S3_VERIFY_TLS"] = "n",
    };

    /// <summary>Every object stored, as paths below the data directory (s3rver keeps one file per object).</summary>
    public IEnumerable<string> StoredFiles() =>
        Directory.EnumerateFiles(Path.Combine(_directory, "data"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_directory, f));

    public static async Task<LocalS3Server> StartAsync()
    {
        var tools = Path.Combine(Repository.Root, ".tools", "s3rver");
        var program = Path.Combine(tools, "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(program))
        {
            var (exitCode, output) = await Scripts.RunAsync("npm",
                ["install", "--prefix", tools, "--no-audit", "--no-fund", "--loglevel=error", Package], new Dictionary<string, string?>(), TimeSpan.FromMinutes(5));
            Assert.True(exitCode == 0, $"npm install {Package} failed:\n{output}");
        }

        var server = new LocalS3Server();
        using var certificate = TestCertificate.SelfSigned();
        var certificatePath = Path.Combine(server._directory, "cert.pem");
        var keyPath = Path.Combine(server._directory, "key.pem");
        await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        var start = new ProcessStartInfo("node", [program, "--directory", Path.Combine(server._directory, "data"), "--address", "127.0.0.1",
            "--port", server._port.ToString(CultureInfo.InvariantCulture), "--cert", certificatePath, "--key", keyPath,
            "--configure-bucket", Bucket, "--no-vhost-buckets", "--silent"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        server._server = new Process { StartInfo = start };
        server._server.OutputDataReceived += (_, e) => { if (e.Data is not null) server._output.Enqueue(e.Data); };
        server._server.ErrorDataReceived += (_, e) => { if (e.Data is not null) server._output.Enqueue(e.Data); };
        server._server.Start();
        server._server.BeginOutputReadLine();
        server._server.BeginErrorReadLine();
        var listening = await Poll.UntilAsync(async () =>
        {
            if (server._server.HasExited) return true;
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", server._port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30));
        if (!listening || server._server.HasExited)
        {
            var output = string.Join('\n', server._output);
            await server.DisposeAsync();
            throw new InvalidOperationException($"s3rver did not start listening:\n{output}");
        }
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            if (!_server.HasExited)
            {
                _server.Kill(entireProcessTree: true);
            }
            await _server.WaitForExitAsync();
            _server.Dispose();
        }
        Directory.Delete(_directory, recursive: true);
    }
}
