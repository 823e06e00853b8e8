using System.Net;
using Microsoft.Extensions.Options;
using Alerting.Service.Webhooks;
using Sensors360.TestSupport;

namespace Alerting.Service.Tests;

public sealed class WebhookNetworksTests
{
    static readonly WebhookNetworks Default = new([]);

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("10.0.0.1")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.255")]
    [InlineData("169.254.169.254")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.0.1")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("fc00::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::10.0.0.1")]
    [InlineData("::127.0.0.1")]
    [InlineData("64:ff9b:1::a9fe:a9fe")]
    [InlineData("2002:a9fe:a9fe::1")]
    public void Non_public_addresses_are_refused_by_default(string address) =>
        Assert.False(Default.Allows(IPAddress.Parse(address)));

    [Theory]
    [InlineData("1.1.1.1")]
    [InlineData("93.184.215.14")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:93.184.215.14")]
    [InlineData("64:ff9b::1.1.1.1")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.True(Default.Allows(IPAddress.Parse(address)));

    [Fact]
    public void An_allowed_network_opens_exactly_that_range_in_either_form()
    {
        var networks = new WebhookNetworks([IPNetwork.Parse("10.20.0.0/16"), IPNetwork.Parse("::1/128")]);

        Assert.True(networks.Allows(IPAddress.Parse("10.20.3.4")));
        Assert.True(networks.Allows(IPAddress.Parse("::ffff:10.20.3.4")));
        Assert.True(networks.Allows(IPAddress.Parse("::1")));
        Assert.False(networks.Allows(IPAddress.Parse("10.21.0.1")));
        Assert.False(networks.Allows(IPAddress.Parse("127.0.0.1")));
    }

    [Theory]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0")]
    [InlineData("private")]
    [InlineData("10.0.0.0/33")]
    public void An_allowed_network_that_is_not_CIDR_stops_the_start(string network)
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            SettingsHarness.Resolve<WebhookOptions>(WebhookOptions.Section, ("Alerting:Webhooks:AllowedNetworks:0", network)));

        Assert.Contains($"AllowedNetworks: '{network}' is not a network in CIDR notation", error.Message);
    }

    [Fact]
    public void By_default_no_network_is_allowed() =>
        Assert.Empty(SettingsHarness.Resolve<WebhookOptions>(WebhookOptions.Section).AllowedNetworks);
}
