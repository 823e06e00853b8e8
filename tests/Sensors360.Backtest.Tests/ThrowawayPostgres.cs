using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Sensors360.Backtest.Tests;

/// <summary>
/// A PostgreSQL server of the tests' own, run by the repository's eng/infra/postgres.sh on a free port with throwaway
/// data: SIGTERM on dispose shuts it down and deletes the data directory.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncLifetime
{
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    const string Password = "backtest-tests";

    readonly string _root = Directory.CreateTempSubdirectory("sensors360-backtest-").FullName;
    Process? _server;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var port = FreePort();
        var script = Path.Combine(RepositoryRoot(), "eng", "infra", "postgres.sh");
        var start = new ProcessStartInfo("bash", [script, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PGPORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGDATA_DIR"] = Path.Combine(_root, "data");
        start.Environment["POSTGRES_PASSWORD"] = Password;
        start.Environment["POSTGRES_DB"] = "backtestdb";
        start.Environment["EPHEMERAL"] = "1";
        _server = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var ready = new TaskCompletionSource();
        _server.OutputDataReceived += (_, e) => { if (e.Data?.Contains("ready on", StringComparison.Ordinal) == true) ready.TrySetResult(); };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        await ready.Task.WaitAsync(StartTimeout);
        // Maximal parallelism would make float sums depend on which worker summed what; the figures must not move.
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Password={Password};Database=backtestdb;Command Timeout=0;Options=-c max_parallel_workers_per_gather=0";
    }

    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);

    public async Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            using (var kill = Process.Start("kill", ["-TERM", _server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _server.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _server.Kill(entireProcessTree: true);
            }
        }
        _server?.Dispose();
        // postgres.sh removes the throwaway data directory, and its parent when empty.
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sensors360.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Sensors360.sln not found above the test binaries.");
    }
}
