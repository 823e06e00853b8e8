using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Sensors360.Monitoring.Storage;

namespace Monitor.Worker.Storage;

/// <summary>
/// Where the operators' read-only queries go: the sensor list and detail, <c>/api/stats</c>, survival and the
/// maintenance reads. That is the connection string <see cref="ConnectionName"/> when one is given — a hot standby, or
/// a multi-host string that prefers one and falls back to the primary — and otherwise <c>sensorsdb</c>, as for
/// everything else. Its sessions are read-only (<c>default_transaction_read_only</c>), so a write sent here by
/// mistake fails even when the primary answers. Writes, reads that must see what the same request wrote, and the
/// ingestion API's key look-ups (which exist to find a key registered a moment ago) use <c>sensorsdb</c>.
/// </summary>
/// <remarks>
/// A standby replays the primary's commits a moment later (normally well under a second): these reads may not yet
/// show a change just made, e.g. a sensor registered a moment ago, and the stale share counts a sensor stale up to
/// that much early.
/// </remarks>
public sealed class ReadOnlyDatabase
{
    public const string ConnectionName = "sensorsdb-readonly";

    readonly PooledDbContextFactory<MonitorDbContext> _contexts;

    public ReadOnlyDatabase(NpgsqlDataSource dataSource)
    {
        DataSource = dataSource;
        _contexts = new(new DbContextOptionsBuilder<MonitorDbContext>()
            .UseNpgsql(dataSource)
            .UseSnakeCaseNamingConvention()
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
            .Options);
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>A context on <see cref="DataSource"/>, to dispose after use (it returns to a pool).</summary>
    public MonitorDbContext CreateContext() => _contexts.CreateDbContext();
}

public static class ReadOnlyDatabaseExtensions
{
    /// <summary>
    /// Registers <see cref="ReadOnlyDatabase"/>: on <see cref="ReadOnlyDatabase.ConnectionName"/> when that connection
    /// string is given (with its own health check, which may degrade /health but never fails it), else on the
    /// <c>sensorsdb</c> data source.
    /// </summary>
    public static void AddReadOnlyDatabase(this WebApplicationBuilder builder)
    {
        const string name = ReadOnlyDatabase.ConnectionName;
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(name)))
        {
            builder.Services.AddSingleton(services => new ReadOnlyDatabase(services.GetRequiredService<NpgsqlDataSource>()));
            return;
        }
        // Aspire's own check would call the worker unhealthy whenever this connection fails; ReadOnlyDatabaseHealthCheck
        // says which server answers instead.
        builder.AddKeyedNpgsqlDataSource(name, settings => settings.DisableHealthChecks = true, dataSource =>
        {
            var connection = dataSource.ConnectionStringBuilder;
            connection.Options = $"{connection.Options} -c default_transaction_read_only=on".Trim();
        });
        builder.Services.AddSingleton(services => new ReadOnlyDatabase(services.GetRequiredKeyedService<NpgsqlDataSource>(name)));
        builder.Services.AddHealthChecks().AddCheck<ReadOnlyDatabaseHealthCheck>(
            name, failureStatus: HealthStatus.Degraded, timeout: ReadOnlyDatabaseHealthCheck.Timeout);
    }
}
