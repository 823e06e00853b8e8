using Microsoft.Extensions.Options;
using Realtime.Gateway.Identity;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace Realtime.Gateway.Proxy;

/// <summary>
/// The front door's route table: each API path of the services behind it (the monitor, the alerting service) with the
/// role it needs, everything else to the dashboard. Written in code so a route cannot reach a service without its
/// policy; destinations are service names that service discovery resolves.
/// </summary>
public static class ProxyRoutes
{
    public const string MonitorAddress = "http://monitor-worker";
    public const string AlertingAddress = "http://alerting-service";
    public const string DashboardAddress = "http://dashboard-web";

    public const string Monitor = "monitor";
    public const string Alerting = "alerting";
    const string Dashboard = "dashboard";

    /// <summary>The services whose APIs the gateway serves to operators (cluster id, address), each with its OpenAPI document and audit log part.</summary>
    public static readonly IReadOnlyList<(string Cluster, string Address)> Services = [(Monitor, MonitorAddress), (Alerting, AlertingAddress)];

    /// <summary>The named HTTP client (the gateway's key, the service's address) the gateway's own reads of <paramref name="cluster"/> use.</summary>
    public static string ClientName(string cluster) => "service-" + cluster;

    public static readonly IReadOnlyList<RouteConfig> Routes =
    [
        MonitorRoute("sensors-read", "/api/sensors/{**rest}", Policies.Viewer, order: 1, methods: ["GET", "HEAD"]),
        MonitorRoute("sensors-write", "/api/sensors/{**rest}", Policies.Operator, order: 2),
        MonitorRoute("stats", "/api/stats/{**rest}", Policies.Viewer),
        MonitorRoute("maintenance", "/api/maintenance/{**rest}", Policies.Viewer),
        MonitorRoute("collector-keys", "/api/collector-keys/{**rest}", Policies.Admin),
        AlertingRoute("webhooks", "/api/webhooks/{**rest}", Policies.Admin),
        AlertingRoute("alerts", "/api/alerts/{**rest}", Policies.Admin),
        // Last: the dashboard's pages and assets need no sign-in (the app asks for it itself).
        new RouteConfig { RouteId = Dashboard, ClusterId = Dashboard, Order = 1000, Match = new RouteMatch { Path = "{**catch-all}" } },
    ];

    public static readonly IReadOnlyList<ClusterConfig> Clusters =
    [
        Cluster(Monitor, "monitor-worker", MonitorAddress),
        Cluster(Alerting, "alerting-service", AlertingAddress),
        Cluster(Dashboard, "dashboard-web", DashboardAddress),
    ];

    /// <summary>Whether the gateway proxies <paramref name="path"/> (an OpenAPI path of the service's) to <paramref name="cluster"/>.</summary>
    public static bool IsProxiedTo(string cluster, string path) => Routes.Any(r => r.ClusterId == cluster && Prefix(r) is var prefix
        && (path == prefix || path.StartsWith(prefix + "/", StringComparison.Ordinal)));

    /// <summary>The policy (role) a service's route needs for <paramref name="method"/>; null when the gateway does not proxy it.</summary>
    public static string? PolicyFor(string path, string method) => Routes
        .Where(r => r.ClusterId != Dashboard && (r.Match.Methods is null || r.Match.Methods.Contains(method, StringComparer.OrdinalIgnoreCase)))
        .OrderBy(r => r.Order ?? 0)
        .FirstOrDefault(r => Prefix(r) is var prefix && (path == prefix || path.StartsWith(prefix + "/", StringComparison.Ordinal)))?.AuthorizationPolicy;

    static string Prefix(RouteConfig route) => route.Match.Path!.Replace("/{**rest}", "", StringComparison.Ordinal);

    public static IReverseProxyBuilder LoadProxyRoutes(this IReverseProxyBuilder proxy) =>
        proxy.LoadFromMemory(Routes, Clusters).AddTransforms(context =>
        {
            var key = ServiceAuthentication.HeaderValue(context.Services.GetRequiredService<IOptions<ServiceKeyOptions>>().Value.Key);
            var forwardsOperator = context.Cluster?.ClusterId is Monitor or Alerting;
            context.AddRequestTransform(transform => ProveGatewayAsync(transform, key, forwardsOperator));
        });

    /// <summary>
    /// Every proxied request carries the gateway's key, and to a service the operator it is for — never what the
    /// client claimed in those headers.
    /// </summary>
    public static ValueTask ProveGatewayAsync(RequestTransformContext transform, string key, bool forwardsOperator)
    {
        var headers = transform.ProxyRequest.Headers;
        headers.Remove(ServiceAuthentication.OperatorHeader);
        headers.Remove(ServiceAuthentication.OperatorRoleHeader);
        headers.Remove(ServiceAuthentication.OperatorAddressHeader);
        headers.Remove("Authorization");
        headers.TryAddWithoutValidation("Authorization", key);
        var user = transform.HttpContext.User;
        if (forwardsOperator && user.Identity?.Name is { Length: > 0 } name)
        {
            headers.TryAddWithoutValidation(ServiceAuthentication.OperatorHeader, name);
            if (OperatorClaims.RoleOf(user) is { } role)
            {
                headers.TryAddWithoutValidation(ServiceAuthentication.OperatorRoleHeader, role);
            }
            if (transform.HttpContext.Connection.RemoteIpAddress is { } address)
            {
                headers.TryAddWithoutValidation(ServiceAuthentication.OperatorAddressHeader, address.ToString());
            }
        }
        return ValueTask.CompletedTask;
    }

    static RouteConfig MonitorRoute(string id, string path, string policy, int? order = null, string[]? methods = null) =>
        ServiceRoute(Monitor, id, path, policy, order, methods);

    static RouteConfig AlertingRoute(string id, string path, string policy) => ServiceRoute(Alerting, id, path, policy, null, null);

    // The operator's cookie and token are the gateway's business: the services are reached only from here and must
    // not see (or log) them (the Authorization header is replaced by the gateway's key, see ProveGatewayAsync).
    static RouteConfig ServiceRoute(string cluster, string id, string path, string policy, int? order, string[]? methods) => new()
    {
        RouteId = id,
        ClusterId = cluster,
        AuthorizationPolicy = policy,
        Order = order,
        Match = new RouteMatch { Path = path, Methods = methods },
        Transforms = [new Dictionary<string, string> { ["RequestHeaderRemove"] = "Cookie" }],
    };

    static ClusterConfig Cluster(string id, string destination, string address) => new()
    {
        ClusterId = id,
        Destinations = new Dictionary<string, DestinationConfig> { [destination] = new() { Address = address } },
    };
}
