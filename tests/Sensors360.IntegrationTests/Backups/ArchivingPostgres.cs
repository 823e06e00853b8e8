using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Sensors360.IntegrationTests.Backups;

/// <summary>
/// A PostgreSQL server of the test's own, run by eng/infra/postgres.sh as the AppHost runs its primary with kept data
/// (WAL_ARCHIVE=1), in <c>&lt;data dir&gt;/postgres</c> of a temporary data directory, on a free port. It can be stopped
/// and started again on the same data (a restore needs it stopped); disposing stops it and deletes the directory.
/// </summary>
public sealed class ArchivingPostgres : IAsyncDisposable
{
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    const string Password = "backup-tests";

    readonly int _port = Ports.Free();
    Process? _server;
    readonly ConcurrentQueue<string> _output = new();

    /// <summary>What eng/backup.sh and eng/restore.sh take as SENSORS360_DATA_DIR.</summary>
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("sensors360-backup-").FullName;

    /// <summary>No pooling: pooled connections would outlive a stop of the server.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Password={Password};Database=sensorsdb;Pooling=false";

    public async Task StartAsync()
    {
        if (_server is { HasExited: false })
        {
            throw new InvalidOperationException("The server is already running.");
        }
        var start = new ProcessStartInfo("bash", [Path.Combine(Repository.Root, "eng", "infra", "postgres.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PGPORT"] = _port.ToString(CultureInfo.InvariantCulture);
        start.Environment["PGDATA_DIR"] = Path.Combine(DataDirectory, "postgres");
        start.Environment["POSTGRES_PASSWORD"] = Password;
        start.Environment["POSTGRES_DB"] = "sensorsdb";
        start.Environment["EPHEMERAL"] = "0";
        start.Environment["WAL_ARCHIVE"] = "1";
        _output.Clear();
        var ready = new TaskCompletionSource();
        _server = new Process { StartInfo = start };
        _server.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            _output.Enqueue(e.Data);
            if (e.Data.StartsWith("postgres.sh: ready on", StringComparison.Ordinal)) ready.TrySetResult();
        };
        _server.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _server.Start();
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        var exited = _server.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(StartTimeout));
        if (first != ready.Task)
        {
            throw new InvalidOperationException(
                $"postgres.sh did not become ready ({(first == exited ? "it exited" : "timed out")}):\n{string.Join('\n', _output)}");
        }
    }

    /// <summary>SIGTERM to the wrapper, which shuts the server down (fast) and exits once it has.</summary>
    public async Task StopAsync()
    {
        if (_server is null)
        {
            return;
        }
        if (!_server.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _server.Id.ToString(CultureInfo.InvariantCulture)]))
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
                await _server.WaitForExitAsync();
            }
        }
        _server.Dispose();
        _server = null;
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public async Task<string> TextAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
