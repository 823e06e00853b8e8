using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Realtime.Gateway.Identity;

namespace Realtime.Gateway.Tests;

/// <summary>
/// Who the client is, as the sign-in limit counts it: X-Forwarded-For only from configured proxies. (The integration
/// tests run with DCP's 127.0.0.1 as a known proxy; these cover the default, where no one is.)
/// </summary>
public sealed class ForwardedHeadersTests
{
    [Fact]
    public async Task Without_known_proxies_a_loopback_peers_X_Forwarded_For_is_ignored()
    {
        // ASP.NET Core's own default trusts loopback, through which every local client reaches the gateway.
        Assert.Equal(IPAddress.Loopback, await ClientAddressAsync(new GatewayOptions(), IPAddress.Loopback, "203.0.113.7"));
        Assert.Equal(IPAddress.IPv6Loopback, await ClientAddressAsync(new GatewayOptions(), IPAddress.IPv6Loopback, "203.0.113.7"));
    }

    [Fact]
    public async Task A_known_proxys_last_entry_is_the_client_and_an_unknown_peer_is_not_believed()
    {
        var options = new GatewayOptions { ForwardedHeaders = { KnownProxies = ["10.0.0.5"], KnownNetworks = ["10.1.0.0/16"] } };

        Assert.Equal(IPAddress.Parse("198.51.100.1"), await ClientAddressAsync(options, IPAddress.Parse("10.0.0.5"), "203.0.113.7, 198.51.100.1"));
        Assert.Equal(IPAddress.Parse("198.51.100.2"), await ClientAddressAsync(options, IPAddress.Parse("10.1.2.3"), "198.51.100.2"));
        Assert.Equal(IPAddress.Parse("10.0.0.6"), await ClientAddressAsync(options, IPAddress.Parse("10.0.0.6"), "198.51.100.1"));
    }

    [Theory]
    [InlineData("198.51.100.7", "198.51.100.7")]
    [InlineData("::ffff:198.51.100.7", "198.51.100.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    public void The_sign_in_limit_counts_an_IPv4_address_or_an_IPv6_slash_64(string address, string partition) =>
        Assert.Equal(partition, IdentitySetup.ClientPartition(IPAddress.Parse(address)));

    [Theory]
    [InlineData("Gateway:ForwardedHeaders:KnownProxies:0", "proxy.local", "KnownProxies")]
    [InlineData("Gateway:ForwardedHeaders:KnownNetworks:0", "10.0.0.0", "KnownNetworks")]
    public void A_proxy_that_is_not_an_address_is_refused_at_start_up(string key, string value, string named)
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            Sensors360.TestSupport.SettingsHarness.Resolve<GatewayOptions>(GatewayOptions.Section, (key, value)));
        Assert.Contains(named, error.Message);
    }

    static async Task<IPAddress?> ClientAddressAsync(GatewayOptions gateway, IPAddress peer, string forwardedFor)
    {
        var services = new ServiceCollection().AddSingleton(Options.Create(gateway));
        services.AddTrustedForwardedHeaders();
        await using var provider = services.BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = provider };
        context.Connection.RemoteIpAddress = peer;
        context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        IPAddress? seen = null;
        var middleware = new ForwardedHeadersMiddleware(http =>
        {
            seen = http.Connection.RemoteIpAddress;
            return Task.CompletedTask;
        }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, provider.GetRequiredService<IOptions<ForwardedHeadersOptions>>());
        await middleware.Invoke(context);
        return seen;
    }
}
