using Npgsql;

namespace Sensors360.IntegrationTests;

/// <summary>
/// The sensor state machine as shipped: the <c>sensor_*</c> functions of the monitor's schema, which the heartbeat
/// writer, the staleness scan, the fleet figures and the history generator all call. Every transition, on the
/// migrated database of the started system.
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class StateRulesTests(SensorsAppFixture fixture)
{
    static readonly DateTimeOffset T = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("new", "up")]
    [InlineData("up", "up")]
    [InlineData("late", "up")]
    [InlineData("down", "up")]
    [InlineData("retired", "retired")]
    public async Task A_heartbeat_makes_every_sensor_up_except_a_retired_one(string state, string after) =>
        Assert.Equal(after, await ScalarAsync<string>("SELECT sensor_state_after_heartbeat($1)", state));

    // Deadlines at T + 90 s (late) and T + 600 s (down); the comparison is strict: at a deadline it has not yet passed.
    [Theory]
    [InlineData("up", 0, "up")]
    [InlineData("up", 90, "up")]
    [InlineData("up", 91, "late")]
    [InlineData("up", 600, "late")]
    [InlineData("up", 601, "down")]
    [InlineData("late", 300, "late")]
    [InlineData("late", 601, "down")]
    [InlineData("down", 0, "down")]
    [InlineData("down", 601, "down")]
    [InlineData("retired", 601, "retired")]
    public async Task Deadlines_move_a_sensor_from_up_to_late_to_down_and_nothing_else(string state, int secondsAfter, string expected) =>
        Assert.Equal(expected, await ScalarAsync<string>("SELECT sensor_state_as_of($1, $2, $3, $4)",
            state, T.AddSeconds(90), T.AddSeconds(600), T.AddSeconds(secondsAfter)));

    [Fact]
    public async Task A_sensor_never_heard_stays_new_whatever_the_time() =>
        Assert.Equal("new", await ScalarAsync<string>(
            "SELECT sensor_state_as_of('new', NULL::timestamptz, NULL::timestamptz, $1)", T.AddYears(1)));

    [Theory]
    [InlineData(null, null, 60 + 30)]        // the defaults: 1 min interval + 30 s grace
    [InlineData(300, null, 300 + 30)]        // its own interval, the default grace
    [InlineData(null, 120, 60 + 120)]        // the default interval, its own grace
    [InlineData(300, 120, 300 + 120)]
    public async Task A_sensor_is_due_its_interval_plus_its_grace_after_its_last_receipt(int? intervalSeconds, int? graceSeconds, int lateAfterSeconds) =>
        Assert.Equal(T.AddSeconds(lateAfterSeconds), await ScalarAsync<DateTimeOffset>(
            "SELECT sensor_late_at($1, $2, $3, $4, $5)",
            T, Interval(intervalSeconds), Interval(graceSeconds), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)));

    [Theory]
    [InlineData(null, 600)]
    [InlineData(3600, 3600)]
    [InlineData(120, 120)]
    public async Task A_sensor_is_down_and_stale_its_threshold_after_its_last_receipt(int? staleAfterSeconds, int downAfterSeconds) =>
        Assert.Equal(T.AddSeconds(downAfterSeconds), await ScalarAsync<DateTimeOffset>(
            "SELECT sensor_down_at($1, $2, $3)", T, Interval(staleAfterSeconds), TimeSpan.FromMinutes(10)));

    static object Interval(int? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s) : DBNull.Value;

    async Task<TResult> ScalarAsync<TResult>(string sql, params object[] values)
    {
        await using var db = NpgsqlDataSource.Create((await fixture.App.GetConnectionStringAsync("sensorsdb"))!);
        await using var command = db.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value is DBNull
                ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Interval }
                : new NpgsqlParameter { Value = value });
        }
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return reader.GetFieldValue<TResult>(0);
    }
}
