using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Sensors360.Simulator.Tests.Load;

public sealed class LoadOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_as_documented()
    {
        var options = Bind();

        Assert.Equal(("http://ingestion-api", "http://monitor-worker", null), (options.IngestionUrl, options.RegistryUrl, options.Url));
        Assert.Equal((10_000, 0.0, 1, 64), (options.Sensors, options.Rate, options.BatchSize, options.Concurrency));
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5)), (options.Duration, options.Warmup));
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(1)),
            (options.RequestTimeout, options.ReadyTimeout, options.DrainTimeout, options.ProgressInterval));
        Assert.False(options.Legacy);
        Assert.Null(options.CollectorKey);
        Assert.Null(options.DatabaseConnectionString);
        Assert.True(options.TargetsIngestion);
    }

    [Fact]
    public void Settings_bind_from_the_command_line()
    {
        var options = Bind("--Load:Rate=100000", "--Load:BatchSize=500", "--Load:Concurrency=8", "--Load:Duration=00:01:00",
            "--Load:CollectorKey=s360c_abc", "--Load:FirstSensorId=1001", "--Load:Sensors=2000", "--Load:Url=http://localhost:5099/");

        Assert.Equal((100_000.0, 500, 8, TimeSpan.FromMinutes(1)), (options.Rate, options.BatchSize, options.Concurrency, options.Duration));
        Assert.Equal(("s360c_abc", 1001L, 2000), (options.CollectorKey, options.FirstSensorId, options.Sensors));
        Assert.False(options.TargetsIngestion);
    }

    [Theory]
    [InlineData("Legacy sends one heartbeat per request: BatchSize must be 1.", "--Load:Legacy=true", "--Load:BatchSize=10")]
    [InlineData("give the sensors it covers: FirstSensorId", "--Load:CollectorKey=s360c_abc")]
    [InlineData("Give either CollectorKey or ProvisionFile, not both.", "--Load:CollectorKey=s360c_abc", "--Load:FirstSensorId=1", "--Load:ProvisionFile=p.json")]
    [InlineData("FirstSensorId names sensors registered before; give their CollectorKey too.", "--Load:FirstSensorId=5")]
    [InlineData("To register the load's sensors, RegistryUrl must be an absolute http(s) URL", "--Load:RegistryUrl=")]
    [InlineData("Url must be an absolute http(s) URL", "--Load:Url=localhost:5099")]
    [InlineData("IngestionUrl must be an absolute http(s) URL", "--Load:IngestionUrl=ingestion-api")]
    [InlineData("FirstSensorId must be at least 1.", "--Load:CollectorKey=s360c_abc", "--Load:FirstSensorId=0")]
    [InlineData("BatchSize", "--Load:BatchSize=10001")]
    [InlineData("BatchSize", "--Load:BatchSize=0")]
    [InlineData("Rate", "--Load:Rate=-1")]
    [InlineData("Concurrency", "--Load:Concurrency=0")]
    [InlineData("Sensors", "--Load:Sensors=0")]
    [InlineData("Duration", "--Load:Duration=00:00:00")]
    [InlineData("Fleet sends at a fixed interval: give a Rate", "--Load:Fleet=true")]
    [InlineData("which must be from 1 s to a day", "--Load:Fleet=true", "--Load:Sensors=100", "--Load:Rate=200")]
    [InlineData("which must be from 1 s to a day", "--Load:Fleet=true", "--Load:Sensors=100", "--Load:Rate=0.001")]
    [InlineData("Fleet sends JSON bodies", "--Load:Fleet=true", "--Load:Rate=100", "--Load:Legacy=true")]
    public void Invalid_settings_are_refused_with_a_message_naming_them(string expected, params string[] args)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(args));

        Assert.Contains(error.Failures, failure => failure.Contains(expected));
    }

    [Fact]
    public void A_fleet_sends_every_sensors_over_rate_seconds_with_a_5_s_grace_by_default()
    {
        var options = Bind("--Load:Fleet=true", "--Load:Sensors=100000", "--Load:Rate=5000", "--Load:BatchSize=500");

        Assert.True(options.Fleet);
        Assert.Equal((TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(5)), (options.FleetInterval, options.FleetGrace));
    }

    [Fact]
    public void A_collector_key_needs_no_registry_and_a_url_needs_neither()
    {
        Assert.Equal(7, Bind("--Load:CollectorKey=s360c_abc", "--Load:FirstSensorId=7", "--Load:RegistryUrl=").FirstSensorId);
        Assert.Equal("http://hello.test/", Bind("--Load:Url=http://hello.test/", "--Load:RegistryUrl=", "--Load:FirstSensorId=5").Url);
    }

    private static LoadOptions Bind(params string[] args)
    {
        using var host = LoadCommand.CreateBuilder(args).Build();
        return host.Services.GetRequiredService<IOptions<LoadOptions>>().Value;
    }
}
