using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sensors360.Simulator.History;

namespace Sensors360.Simulator.Tests.History;

public sealed class HistoryOptionsTests
{
    [Fact]
    public void The_defaults_are_as_documented()
    {
        var options = Bind("--History:ConnectionString=Host=db");

        Assert.Equal(("Host=db", ".data/backtest", 42, 1000, 60), (options.ConnectionString, options.DataDirectory, options.Seed, options.Slots, options.Days));
        Assert.Null(options.EndAt);
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), 0.2, 0.01), (options.MinInterval, options.MaxInterval, options.Jitter, options.MissRate));
        Assert.Equal((2.5, 400.0, 1095.0), (options.LifetimeShape, options.LifetimeScaleDays, options.FleetAgeDays));
        Assert.Equal((TimeSpan.FromHours(12), TimeSpan.FromHours(72)), (options.ReplaceDelayMin, options.ReplaceDelayMax));
        Assert.Equal((0.85, 3.0, 10.0, 3.0, 8.0, 0.3), (options.WarningShare, options.DegradeMinDays, options.DegradeMaxDays,
            options.DegradeFactorMin, options.DegradeFactorMax, options.DegradeMaxDropRate));
        Assert.Equal((1.5, 0.05, false), (options.SlowdownsPer30Days, options.FlapShare, options.Replace));
    }

    [Fact]
    public void The_connection_string_falls_back_to_the_sensorsdb_connection_string()
    {
        Assert.Equal("Host=aspire", Bind("--ConnectionStrings:sensorsdb=Host=aspire").ConnectionString);
        Assert.Equal("Host=mine", Bind("--ConnectionStrings:sensorsdb=Host=aspire", "--History:ConnectionString=Host=mine").ConnectionString);
    }

    [Fact]
    public void Settings_bind_from_the_command_line()
    {
        var options = Bind("--History:ConnectionString=Host=db", "--History:Seed=7", "--History:Slots=20", "--History:EndAt=2026-11-28T12:00:00Z",
            "--History:Replace=true", "--History:WarningShare=0.5");

        Assert.Equal((7, 20, true, 0.5), (options.Seed, options.Slots, options.Replace, options.WarningShare));
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero), options.EndAt);
    }

    [Fact]
    public void Without_an_end_the_history_ends_now_rounded_down_to_the_minute_in_utc()
    {
        var now = new DateTimeOffset(2026, 11, 28, 13, 45, 59, 999, TimeSpan.FromHours(2));

        Assert.Equal(new DateTimeOffset(2026, 11, 28, 11, 45, 0, TimeSpan.Zero), new HistoryOptions().ResolveEndAt(now));
        Assert.Equal(TimeSpan.Zero, new HistoryOptions { EndAt = now }.ResolveEndAt(DateTimeOffset.UtcNow).Offset);
    }

    [Theory]
    [InlineData("ConnectionString is required")]
    [InlineData("MinInterval must not exceed MaxInterval.", "--History:MinInterval=00:20:00")]
    [InlineData("must contain a whole number of seconds", "--History:MinInterval=00:00:01.2", "--History:MaxInterval=00:00:01.8")]
    [InlineData("ReplaceDelayMin must not exceed ReplaceDelayMax.", "--History:ReplaceDelayMin=4.00:00:00")]
    [InlineData("DegradeMinDays must not exceed DegradeMaxDays.", "--History:DegradeMinDays=12")]
    [InlineData("DegradeFactorMin must not exceed DegradeFactorMax.", "--History:DegradeFactorMin=9")]
    [InlineData("DegradeMaxDropRate must be at least MissRate", "--History:MissRate=0.5")]
    [InlineData("WarningShare", "--History:WarningShare=1.5")]
    [InlineData("Slots", "--History:Slots=0")]
    [InlineData("Days", "--History:Days=0")]
    [InlineData("Jitter", "--History:Jitter=1")]
    [InlineData("LifetimeShape", "--History:LifetimeShape=0")]
    public void Invalid_settings_are_refused_with_a_message_naming_them(string expected, params string[] args)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(args.Length == 0 ? [] : ["--History:ConnectionString=Host=db", .. args]));

        Assert.Contains(error.Failures, failure => failure.Contains(expected));
    }

    private static HistoryOptions Bind(params string[] args)
    {
        using var host = HistoryCommand.CreateBuilder(args).Build();
        return host.Services.GetRequiredService<IOptions<HistoryOptions>>().Value;
    }
}
