using Realtime.Gateway.Identity;
using Yarp.ReverseProxy.Configuration;

namespace Realtime.Gateway.Proxy;

/// <summary>
/// The front door's route table: each monitor API path with the role it needs, everything else to the dashboard.
/// Written in code so a route cannot reach the monitor without its policy; destinations are service names that
/// service discovery resolves.
/// </summary>
public static class ProxyRoutes
{
    public const string MonitorAddress = "http://monitor-worker";
    public const string DashboardAddress = "http://dashboard-web";

    const string Monitor = "monitor";
    const string Dashboard = "dashboard";

    public static readonly IReadOnlyList<RouteConfig> Routes =
    [
        MonitorRoute("sensors-read", "/api/sensors/{**rest}", Policies.Viewer, order: 1, methods: ["GET", "HEAD"]),
        MonitorRoute("sensors-write", "/api/sensors/{**rest}", Policies.Operator, order: 2),
        MonitorRoute("stats", "/api/stats/{**rest}", Policies.Viewer),
        MonitorRoute("maintenance", "/api/maintenance/{**rest}", Policies.Viewer),
        MonitorRoute("collector-keys", "/api/collector-keys/{**rest}", Policies.Admin),
        MonitorRoute("webhooks", "/api/webhooks/{**rest}", Policies.Admin),
        // Last: the dashboard's pages and assets need no sign-in (the app asks for it itself).
        new RouteConfig { RouteId = Dashboard, ClusterId = Dashboard, Order = 1000, Match = new RouteMatch { Path = "{**catch-all}" } },
    ];

    public static readonly IReadOnlyList<ClusterConfig> Clusters =
    [
        Cluster(Monitor, "monitor-worker", MonitorAddress),
        Cluster(Dashboard, "dashboard-web", DashboardAddress),
    ];

    public static IReverseProxyBuilder LoadProxyRoutes(this IReverseProxyBuilder proxy) =>
        proxy.LoadFromMemory(Routes, Clusters);

    // The operator's cookie and token are the gateway's business: the monitor is reached only from here and must
    // not see (or log) them.
    static RouteConfig MonitorRoute(string id, string path, string policy, int? order = null, string[]? methods = null) => new()
    {
        RouteId = id,
        ClusterId = Monitor,
        AuthorizationPolicy = policy,
        Order = order,
        Match = new RouteMatch { Path = path, Methods = methods },
        Transforms =
        [
            new Dictionary<string, string> { ["RequestHeaderRemove"] = "Cookie" },
            new Dictionary<string, string> { ["RequestHeaderRemove"] = "Authorization" },
        ],
    };

    static ClusterConfig Cluster(string id, string destination, string address) => new()
    {
        ClusterId = id,
        Destinations = new Dictionary<string, DestinationConfig> { [destination] = new() { Address = address } },
    };
}
