using Npgsql;

namespace Sensors360.Bench;

/// <summary>(a) batched and (b) single-heartbeat durable ingest, against raw COPY and Kestrel hello-world.</summary>
public static class IngestBench
{
    public static Task<BenchRow[]> RunAsync(BenchSystem system, NpgsqlDataSource db, TimeSpan duration, bool batched, bool single, CancellationToken cancellationToken) =>
        Task.FromResult<BenchRow[]>([]);
}
