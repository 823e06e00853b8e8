using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Sensors360.IntegrationTests;

/// <summary>
/// Retention beside the heartbeat partitions, on the started system with the default retention (90 days) and
/// maintenance every 2 s: old rows are written straight into the database, and the worker's maintenance deletes exactly
/// those it may. What may go is decided by the schema's <c>prune_*</c> functions, some of which are also called here
/// directly, inside a transaction that is rolled back.
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class RetentionTests(SensorsAppFixture fixture) : StartedSystemTests(fixture)
{
    static readonly TimeSpan MaintenanceDeadline = TimeSpan.FromSeconds(60);
    NpgsqlDataSource _db = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _db = NpgsqlDataSource.Create((await App.GetConnectionStringAsync("sensorsdb"))!);
    }

    public override async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await base.DisposeAsync();
    }

    static DateTimeOffset DaysAgo(DateTimeOffset now, double days) => now.AddDays(-days);

    static async Task<long> AddStateChangeAsync(NpgsqlTransaction transaction, long sensorId, string from, string to, DateTimeOffset at)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO sensor_state_changes (sensor_id, from_state, to_state, at) VALUES ($1, $2, $3, $4) RETURNING id",
            transaction.Connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sensorId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = from });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = to });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = at });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    async Task<long[]> StateChangeIdsAsync(long sensorId)
    {
        await using var command = _db.CreateCommand("SELECT id FROM sensor_state_changes WHERE sensor_id = $1 ORDER BY at, id");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sensorId });
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }
        return [.. ids];
    }

    static async Task<long> InsertRiskModelAsync(NpgsqlConnection connection, DateTimeOffset fittedAt, NpgsqlTransaction? transaction = null)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO risk_models (fitted_at, kind, examples, failures, means, scales, weights, weibull_shape, weibull_scale_days, age_curve_kind)
            VALUES ($1, 'prior', 0, 0, '{0,0,0,0,0,0}', '{1,1,1,1,1,1}', '{0,0,0,0,0,0}', 1.5, 400, 'prior')
            RETURNING id
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = fittedAt });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Expired_state_changes_are_deleted_except_each_sensors_state_at_the_horizon()
    {
        var now = DateTimeOffset.UtcNow;
        var (flapping, _) = await Api.RegisterAsync(SensorsApi.UniqueTag("retention-flapping"));
        var (quiet, _) = await Api.RegisterAsync(SensorsApi.UniqueTag("retention-quiet"));
        var (old, _) = await Api.RegisterAsync(SensorsApi.UniqueTag("retention-old"));

        var expired = new List<long>();
        long flappingDown, flappingBack, quietUp, oldBack;
        // In one transaction, so that maintenance sees all of them or none.
        await using (var connection = await _db.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            // 90 days is the horizon. Up, late, down long ago, back up 10 days ago.
            expired.Add(await AddStateChangeAsync(transaction, flapping, "new", "up", DaysAgo(now, 200)));
            expired.Add(await AddStateChangeAsync(transaction, flapping, "up", "late", DaysAgo(now, 150)));
            flappingDown = await AddStateChangeAsync(transaction, flapping, "late", "down", DaysAgo(now, 120));
            flappingBack = await AddStateChangeAsync(transaction, flapping, "down", "up", DaysAgo(now, 10));
            // Up for 200 days without a flip since: its only change is its current state.
            quietUp = await AddStateChangeAsync(transaction, quiet, "new", "up", DaysAgo(now, 200));
            // Every change before the horizon: only the latest stays.
            expired.Add(await AddStateChangeAsync(transaction, old, "new", "up", DaysAgo(now, 200)));
            expired.Add(await AddStateChangeAsync(transaction, old, "up", "down", DaysAgo(now, 95)));
            oldBack = await AddStateChangeAsync(transaction, old, "down", "up", DaysAgo(now, 91));
            await transaction.CommitAsync();
        }

        Assert.True(await Poll.UntilAsync(async () => await Api.ScalarAsync("SELECT count(*) FROM sensor_state_changes WHERE id = ANY($1)", expired.ToArray()) == 0,
            MaintenanceDeadline), "The worker's maintenance never deleted the expired state changes.");

        Assert.Equal([flappingDown, flappingBack], await StateChangeIdsAsync(flapping));
        Assert.Equal([quietUp], await StateChangeIdsAsync(quiet));
        Assert.Equal([oldBack], await StateChangeIdsAsync(old));

        // The 30-day uptime still starts from the state kept at the horizon: down until 10 days ago, up since (10 of 30
        // days). Had that change gone, the window would start in "new" (not observed) and read 100 %.
        var detail = await Api.Worker.GetFromJsonAsync<JsonElement>($"/api/sensors/{flapping}");
        Assert.Equal(100.0 / 3, detail.GetProperty("uptime").GetProperty("last30Days").GetDouble(), 0.1);
        Assert.Equal(["down>up", "late>down"], detail.GetProperty("flips").EnumerateArray()
            .Select(f => f.GetProperty("from").GetString() + ">" + f.GetProperty("to").GetString()).ToArray());
    }

    [Fact]
    public async Task Risk_models_older_than_the_retention_are_deleted_and_the_model_in_use_stays()
    {
        JsonElement inUse = default;
        Assert.True(await Poll.UntilAsync(async () =>
        {
            using var response = await Api.Worker.GetAsync("/api/maintenance/model");
            inUse = response.IsSuccessStatusCode ? await SensorsApi.JsonAsync(response) : default;
            return response.IsSuccessStatusCode;
        }, MaintenanceDeadline), "No risk model was ever stored.");
        var newest = await Api.ScalarAsync("SELECT id FROM risk_models ORDER BY fitted_at DESC, id DESC LIMIT 1");

        var now = DateTimeOffset.UtcNow;
        long expired, older, kept;
        await using (var connection = await _db.OpenConnectionAsync())
        {
            older = await InsertRiskModelAsync(connection, DaysAgo(now, 200));
            expired = await InsertRiskModelAsync(connection, DaysAgo(now, 91));
            kept = await InsertRiskModelAsync(connection, DaysAgo(now, 80));
        }
        Task<long> CountAsync(params long[] ids) => Api.ScalarAsync("SELECT count(*) FROM risk_models WHERE id = ANY($1)", ids);

        Assert.True(await Poll.UntilAsync(async () => await CountAsync(older, expired) == 0, MaintenanceDeadline),
            "The worker's maintenance never deleted the expired risk models.");
        Assert.Equal(2, await CountAsync(kept, newest));
        using var model = await Api.Worker.GetAsync("/api/maintenance/model");
        Assert.Equal(HttpStatusCode.OK, model.StatusCode);
        Assert.Equal(inUse.GetProperty("fittedAt").GetDateTimeOffset(), (await SensorsApi.JsonAsync(model)).GetProperty("fittedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task The_newest_risk_model_is_never_deleted_however_old_it_is()
    {
        await using var connection = await _db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // With a horizon past every model, each is expired; the newest (fitted "tomorrow", so newer than any the
        // system fitted) is the model in use as far as this transaction sees.
        await InsertRiskModelAsync(connection, DateTimeOffset.UtcNow.AddDays(-1), transaction);
        var newest = await InsertRiskModelAsync(connection, DateTimeOffset.UtcNow.AddDays(1), transaction);

        await using (var prune = new NpgsqlCommand("SELECT prune_risk_models('infinity', 1000000)", connection, transaction))
        {
            Assert.True((int)(await prune.ExecuteScalarAsync())! >= 1);
        }
        await using var left = new NpgsqlCommand("SELECT COALESCE(array_agg(id), '{}') FROM risk_models", connection, transaction);
        Assert.Equal([newest], (long[])(await left.ExecuteScalarAsync())!);

        await transaction.RollbackAsync();
    }

    [Fact]
    public async Task An_hourly_roll_up_goes_once_its_hour_is_past_the_horizon_and_a_daily_one_once_its_whole_day_is()
    {
        await using var connection = await _db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // Long before anything the running system stores, so that only these rows are that old.
        const string horizon = "2000-01-10 12:00Z";
        await using (var setUp = new NpgsqlCommand("""
            INSERT INTO heartbeat_hours (sensor_id, hour, beats, first_at, last_at, gaps, gap_sum, gap_sumsq, silences, silence_sum)
            SELECT -1, h, 1, h, h, 0, 0, 0, 0, 0 FROM unnest(ARRAY['2000-01-10 11:00Z', '2000-01-10 12:00Z']::timestamptz[]) AS h;
            INSERT INTO heartbeat_days (sensor_id, day, beats, last_at, gaps, gap_sum, gap_sumsq, silences, silence_sum)
            SELECT -1, d, 1, d, 0, 0, 0, 0, 0 FROM unnest(ARRAY['2000-01-09 00:00Z', '2000-01-10 00:00Z']::timestamptz[]) AS d;
            """, connection, transaction))
        {
            await setUp.ExecuteNonQueryAsync();
        }

        foreach (var (function, table, kept) in new[]
        {
            ("prune_heartbeat_hours", "heartbeat_hours", "hour"), ("prune_heartbeat_days", "heartbeat_days", "day"),
        })
        {
            await using var prune = new NpgsqlCommand($"SELECT {function}('{horizon}', 1000)", connection, transaction);
            Assert.Equal(1, (int)(await prune.ExecuteScalarAsync())!);
            await using var left = new NpgsqlCommand($"SELECT array_agg({kept}) FROM {table} WHERE sensor_id = -1", connection, transaction);
            var remaining = (DateTime[])(await left.ExecuteScalarAsync())!;
            var expected = kept == "hour" ? new DateTime(2000, 1, 10, 12, 0, 0, DateTimeKind.Utc) : new DateTime(2000, 1, 10, 0, 0, 0, DateTimeKind.Utc);
            Assert.Equal([expected], remaining);
        }

        await transaction.RollbackAsync();
    }

    [Fact]
    public async Task A_retired_sensor_loses_its_risk_score_and_a_live_one_keeps_it()
    {
        await using var connection = await _db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // Sensors and scores the running system cannot see: the scoring pass, which also drops retired sensors' scores,
        // cannot be what deletes them here.
        await using var setUp = new NpgsqlCommand("""
            WITH registered AS (
                INSERT INTO sensors (tag, labels, created_at, retired_at, key_hash)
                SELECT $1 || g, '{}'::jsonb, now(), CASE WHEN g = 1 THEN now() END, md5($1 || g) || md5(g || $1)
                FROM generate_series(1, 2) g
                RETURNING id, retired_at
            ), scored AS (
                INSERT INTO sensor_risks (sensor_id, scored_at, risk_7d, risk_30d, window_start, window_end, reasons, features,
                                          contribution_values, contribution_log_odds)
                SELECT id, now(), 0.9, 0.95, now(), now() + interval '1 day', '{}', '{}', '{}', '{}' FROM registered
                RETURNING sensor_id
            )
            SELECT r.id, r.retired_at IS NOT NULL FROM registered r JOIN scored s ON s.sensor_id = r.id
            """, connection, transaction);
        setUp.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"retention-{Guid.NewGuid():N}-" });
        long retired = 0, live = 0;
        await using (var reader = await setUp.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                if (reader.GetBoolean(1))
                {
                    retired = reader.GetInt64(0);
                }
                else
                {
                    live = reader.GetInt64(0);
                }
            }
        }

        await using (var prune = new NpgsqlCommand("SELECT prune_retired_sensor_risks(1000000)", connection, transaction))
        {
            Assert.True((int)(await prune.ExecuteScalarAsync())! >= 1);
        }
        await using var left = new NpgsqlCommand("SELECT COALESCE(array_agg(sensor_id), '{}') FROM sensor_risks WHERE sensor_id = ANY($1)", connection, transaction);
        left.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [retired, live] });
        Assert.Equal([live], (long[])(await left.ExecuteScalarAsync())!);

        await transaction.RollbackAsync();
    }
}
