using Npgsql;

namespace Sensors360.Simulator.Load;

/// <summary>
/// Counts the load's heartbeats stored in PostgreSQL: the sum of <c>sensor_liveness.heartbeat_count</c> over the load's
/// sensors. The worker raises that count in the same transaction that inserts the rows (and only for rows it did
/// insert), so it equals the rows stored, for the price of reading a few thousand sensor rows rather than counting
/// millions of heartbeats.
/// </summary>
public sealed class PersistedCounter : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _sql;
    private readonly Action<NpgsqlParameterCollection> _parameters;

    public PersistedCounter(string connectionString, IReadOnlyList<long> sensorIds)
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
        var ids = sensorIds.ToArray();
        if (IsRange(ids))
        {
            _sql = "SELECT COALESCE(sum(heartbeat_count), 0)::bigint FROM sensor_liveness WHERE sensor_id BETWEEN $1 AND $2";
            _parameters = p =>
            {
                p.Add(new NpgsqlParameter<long> { TypedValue = ids[0] });
                p.Add(new NpgsqlParameter<long> { TypedValue = ids[^1] });
            };
        }
        else
        {
            _sql = "SELECT COALESCE(sum(heartbeat_count), 0)::bigint FROM sensor_liveness WHERE sensor_id = ANY($1)";
            _parameters = p => p.Add(new NpgsqlParameter<long[]> { TypedValue = ids });
        }
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(_sql);
        _parameters(command.Parameters);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static bool IsRange(long[] ids)
    {
        for (var i = 1; i < ids.Length; i++)
        {
            if (ids[i] != ids[i - 1] + 1)
            {
                return false;
            }
        }

        return true;
    }
}
