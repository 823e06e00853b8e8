using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Realtime.Gateway.Identity;
using Realtime.Gateway.Proxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace Realtime.Gateway.Tests;

public sealed class ProxyRoutesTests
{
    static IEnumerable<RouteConfig> ServiceRoutes => ProxyRoutes.Routes.Where(r => r.ClusterId is "monitor" or "alerting");

    [Fact]
    public void Every_route_to_a_service_needs_a_role_and_strips_the_operators_credentials()
    {
        Assert.NotEmpty(ServiceRoutes);
        foreach (var route in ServiceRoutes)
        {
            Assert.Contains(route.AuthorizationPolicy, new[] { Policies.Viewer, Policies.Operator, Policies.Admin });
            Assert.StartsWith("/api/", route.Match.Path);
            var removed = route.Transforms!.Select(t => t["RequestHeaderRemove"]).ToList();
            // Authorization is replaced by the gateway's own key (ProveGatewayAsync), checked through the started system.
            Assert.Equal(["Cookie"], removed);
        }
    }

    [Theory]
    [InlineData("/api/sensors/{**rest}", "GET", Policies.Viewer)]
    [InlineData("/api/sensors/{**rest}", "POST", Policies.Operator)]
    [InlineData("/api/sensors/{**rest}", "DELETE", Policies.Operator)]
    [InlineData("/api/stats/{**rest}", "GET", Policies.Viewer)]
    [InlineData("/api/maintenance/{**rest}", "GET", Policies.Viewer)]
    [InlineData("/api/collector-keys/{**rest}", "GET", Policies.Admin)]
    [InlineData("/api/webhooks/{**rest}", "POST", Policies.Admin)]
    [InlineData("/api/alerts/{**rest}", "GET", Policies.Admin)]
    public void A_path_and_method_get_the_role_the_route_table_names(string path, string method, string policy)
    {
        var route = ServiceRoutes
            .Where(r => r.Match.Path == path && (r.Match.Methods is null || r.Match.Methods.Contains(method)))
            .OrderBy(r => r.Order ?? 0)
            .First();

        Assert.Equal(policy, route.AuthorizationPolicy);
    }

    [Fact]
    public void Only_the_dashboard_is_open_and_it_comes_last()
    {
        var open = Assert.Single(ProxyRoutes.Routes, r => r.AuthorizationPolicy is null);

        Assert.Equal("dashboard", open.ClusterId);
        Assert.True(ProxyRoutes.Routes.All(r => r == open || (r.Order ?? 0) < open.Order));
    }

    [Fact]
    public async Task The_proxy_accepts_the_table()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Viewer, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.Operator, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.Admin, p => p.RequireAuthenticatedUser());
        services.AddReverseProxy().LoadProxyRoutes();
        using var provider = services.BuildServiceProvider();
        var validator = provider.GetRequiredService<IConfigValidator>();

        foreach (var route in ProxyRoutes.Routes)
        {
            Assert.Empty(await validator.ValidateRouteAsync(route));
        }
        foreach (var cluster in ProxyRoutes.Clusters)
        {
            Assert.Empty(await validator.ValidateClusterAsync(cluster));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_proxied_request_carries_the_gateways_key_and_the_signed_in_operator_never_what_the_client_claimed(bool toMonitor)
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "alice"), new Claim(ClaimTypes.Role, Roles.Viewer)], "test"));
        using var proxied = new HttpRequestMessage(HttpMethod.Get, "http://monitor-worker/api/sensors");
        proxied.Headers.TryAddWithoutValidation("Authorization", "Bearer the-operators-token");
        proxied.Headers.TryAddWithoutValidation(ServiceAuthentication.OperatorHeader, "mallory");
        proxied.Headers.TryAddWithoutValidation(ServiceAuthentication.OperatorRoleHeader, Roles.Admin);
        proxied.Headers.TryAddWithoutValidation(ServiceAuthentication.OperatorAddressHeader, "10.0.0.66");
        var context = new DefaultHttpContext { User = user };
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("192.0.2.7");
        var transform = new RequestTransformContext { HttpContext = context, ProxyRequest = proxied };

        await ProxyRoutes.ProveGatewayAsync(transform, ServiceAuthentication.HeaderValue("the-gateways-key"), toMonitor);

        Assert.Equal(["Service the-gateways-key"], proxied.Headers.GetValues("Authorization"));
        if (toMonitor)
        {
            Assert.Equal(["alice"], proxied.Headers.GetValues(ServiceAuthentication.OperatorHeader));
            Assert.Equal([Roles.Viewer], proxied.Headers.GetValues(ServiceAuthentication.OperatorRoleHeader));
            Assert.Equal(["192.0.2.7"], proxied.Headers.GetValues(ServiceAuthentication.OperatorAddressHeader));
        }
        else
        {
            Assert.False(proxied.Headers.Contains(ServiceAuthentication.OperatorHeader));
            Assert.False(proxied.Headers.Contains(ServiceAuthentication.OperatorRoleHeader));
            Assert.False(proxied.Headers.Contains(ServiceAuthentication.OperatorAddressHeader));
        }
    }
}
