using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Sensors360.Simulator.Tests;

public sealed class SimulatorOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_as_documented()
    {
        var options = Bind();

        Assert.Equal("http://monitor-worker", options.RegistryUrl);
        Assert.Equal("http://ingestion-api", options.IngestionUrl);
        Assert.Equal(".data/simulator", options.DataDirectory);
        Assert.Equal(200, options.SensorCount);
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), 0.2), (options.MinInterval, options.MaxInterval, options.Jitter));
        Assert.Equal((0.10, 0.10, 0.05), (options.DieShare, options.DegradeShare, options.FlapShare));
        Assert.Equal((TimeSpan.FromHours(2), TimeSpan.FromHours(3)), (options.DeathWindow, options.DegradeDuration));
        Assert.Equal(TimeSpan.FromSeconds(5), options.StatusInterval);
        Assert.False(options.Legacy);
        Assert.Null(options.Seed);
        Assert.Equal("http", options.Protocol);
        Assert.Null(options.MqttAddress);
    }

    [Fact]
    public void Settings_bind_from_the_command_line()
    {
        var options = Bind("--Simulator:SensorCount=1000", "--Simulator:MaxInterval=00:02:00", "--Simulator:Legacy=true", "--Simulator:Seed=17",
            "--Simulator:IngestionUrl=http://localhost:8081");

        Assert.Equal((1000, TimeSpan.FromMinutes(2), true, 17), (options.SensorCount, options.MaxInterval, options.Legacy, options.Seed));
        Assert.Equal("http://localhost:8081", options.IngestionUrl);
    }

    [Theory]
    [InlineData("DieShare + DegradeShare + FlapShare must be at most 1.", "--Simulator:DieShare=0.5", "--Simulator:DegradeShare=0.4", "--Simulator:FlapShare=0.2")]
    [InlineData("DieShare", "--Simulator:DieShare=1.5")]
    [InlineData("FlapShare", "--Simulator:FlapShare=-0.1")]
    [InlineData("MinInterval must not exceed MaxInterval.", "--Simulator:MinInterval=00:01:00", "--Simulator:MaxInterval=00:00:30")]
    [InlineData("must contain a whole number of seconds", "--Simulator:MinInterval=00:00:01.2", "--Simulator:MaxInterval=00:00:01.8")]
    [InlineData("MinInterval", "--Simulator:MinInterval=00:00:00")]
    [InlineData("SensorCount", "--Simulator:SensorCount=0")]
    [InlineData("Jitter", "--Simulator:Jitter=1")]
    [InlineData("FlapSilenceMin must not exceed FlapSilenceMax.", "--Simulator:FlapSilenceMin=00:40:00")]
    [InlineData("IngestionUrl must be an absolute http(s) URL", "--Simulator:IngestionUrl=ingestion-api")]
    [InlineData("RegistryUrl must be an absolute http(s) URL", "--Simulator:RegistryUrl=ftp://monitor-worker")]
    [InlineData("Protocol must be 'http' or 'mqtt', not 'amqp'.", "--Simulator:Protocol=amqp")]
    [InlineData("MqttAddress must be the broker's MQTT listener", "--Simulator:Protocol=mqtt")]
    [InlineData("MqttAddress must be the broker's MQTT listener", "--Simulator:Protocol=mqtt", "--Simulator:MqttAddress=http://localhost:1883")]
    [InlineData("MqttAddress must be the broker's MQTT listener", "--Simulator:Protocol=mqtt", "--Simulator:MqttAddress=localhost:1883")]
    [InlineData("Legacy applies to HTTP only", "--Simulator:Protocol=mqtt", "--Simulator:MqttAddress=tcp://localhost:1883", "--Simulator:Legacy=true")]
    public void Invalid_settings_are_refused_with_a_message_naming_them(string expected, params string[] args)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(args));

        Assert.Contains(error.Failures, failure => failure.Contains(expected));
    }

    [Fact]
    public void Shares_that_add_up_to_exactly_one_are_accepted()
    {
        var options = Bind("--Simulator:DieShare=0.1", "--Simulator:DegradeShare=0.2", "--Simulator:FlapShare=0.7");

        Assert.Equal(0.7, options.FlapShare);
    }

    [Theory]
    [InlineData("mqtt", "tcp://localhost:1883")]
    [InlineData("MQTT", "mqtt://broker.example:11883")]
    public void Mqtt_with_a_broker_address_is_accepted(string protocol, string address)
    {
        var options = Bind($"--Simulator:Protocol={protocol}", $"--Simulator:MqttAddress={address}");

        Assert.True(HeartbeatProtocols.IsMqtt(options));
    }

    [Fact]
    public void An_mqtt_address_without_a_port_means_1883()
    {
        Assert.Equal(("broker", 1883), HeartbeatProtocols.ParseMqttAddress("mqtt://broker"));
        Assert.Equal(("127.0.0.1", 41883), HeartbeatProtocols.ParseMqttAddress("tcp://127.0.0.1:41883"));
    }

    [Fact]
    public void The_address_is_not_needed_over_http()
    {
        var options = Bind("--Simulator:Protocol=http", "--Simulator:MqttAddress=not an address");

        Assert.False(HeartbeatProtocols.IsMqtt(options));
    }

    [Theory]
    [InlineData(typeof(HeartbeatClient))]
    [InlineData(typeof(Sensors360.Simulator.Mqtt.MqttHeartbeatClient), "--Simulator:Protocol=mqtt", "--Simulator:MqttAddress=tcp://localhost:1883")]
    public void The_protocol_chooses_the_heartbeat_sender(Type expected, params string[] args)
    {
        using var host = SimulatorHost.CreateBuilder(args).Build();

        Assert.IsType(expected, host.Services.GetRequiredService<IHeartbeatSender>());
    }

    private static SimulatorOptions Bind(params string[] args)
    {
        using var host = SimulatorHost.CreateBuilder(args).Build();
        return host.Services.GetRequiredService<IOptions<SimulatorOptions>>().Value;
    }
}
