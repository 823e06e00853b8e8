using Microsoft.Extensions.Options;
using Sensors360.TestSupport;

namespace Realtime.Gateway.Tests;

public sealed class GatewayOptionsTests
{
    [Fact]
    public void The_defaults_are_valid() =>
        Assert.Equal(4096, Resolve().WebSocket.QueueCapacity);

    [Theory]
    [InlineData("Gateway:AuthRateLimit:PerMinute", "0", "PerMinute")]
    [InlineData("Gateway:WebSocket:QueueCapacity", "1", "QueueCapacity")]
    [InlineData("Gateway:LockoutDuration", "00:00:00", "LockoutDuration")]
    public void A_value_out_of_range_anywhere_in_the_section_is_refused_naming_it(string key, string value, string named)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve((key, value)));
        Assert.Contains(named, error.Message);
    }

    static GatewayOptions Resolve(params (string Key, string Value)[] settings) =>
        SettingsHarness.Resolve<GatewayOptions>(GatewayOptions.Section, settings);
}
