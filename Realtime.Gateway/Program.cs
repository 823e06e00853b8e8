using Realtime.Gateway.Proxy;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Realtime.Gateway;
using Realtime.Gateway.Apis;
using Realtime.Gateway.Identity;
using Realtime.Gateway.Infrastructure;
using Realtime.Gateway.Realtime;
using Scalar.AspNetCore;
using Sensors360.Messaging;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddValidatedOptions<GatewayOptions>(GatewayOptions.Section);
builder.Services.AddSingleton(TimeProvider.System);

// Operators: Identity in the identity schema of sensorsdb.
builder.AddNpgsqlDataSource("sensorsdb");
builder.Services.AddDbContextPool<GatewayDbContext>((services, options) => options
    .UseNpgsql(services.GetRequiredService<Npgsql.NpgsqlDataSource>(), GatewayDatabase.ConfigureNpgsql)
    .UseSnakeCaseNamingConvention());
builder.EnrichNpgsqlDbContext<GatewayDbContext>();
builder.AddOperatorsIdentity();
builder.Services.AddTrustedForwardedHeaders();

// Live status: this instance's own temporary queue on the bus, relayed to its WebSocket clients.
builder.Services.AddSingleton(services =>
{
    // The user's WebSockets close as soon as an Admin revokes the user's access.
    var hub = new RealtimeHub().Observed(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
    services.GetRequiredService<AccessRevocations>().Revoked += hub.CloseUser;
    return hub;
});
builder.Services.AddSingleton(new RecentMessageIds());
builder.Services.AddSingleton<HeartbeatTap>();
builder.Services.AddHostedService(services => services.GetRequiredService<HeartbeatTap>());
builder.Services.AddServiceKeyOptions();
builder.Services.AddHttpClient<SnapshotSource>(http => http.BaseAddress = new Uri(ProxyRoutes.MonitorAddress)).AddServiceKey();
foreach (var (cluster, address) in ProxyRoutes.Services)
{
    builder.Services.AddHttpClient(ProxyRoutes.ClientName(cluster), http => http.BaseAddress = new Uri(address)).AddServiceKey();
}
builder.Services.AddSingleton<ServiceAudit>();
builder.AddSensorsMessaging(bus =>
{
    bus.AddConsumer<StatusEventsConsumer>().Endpoint(endpoint =>
    {
        endpoint.PerInstance();
        endpoint.ConcurrentMessageLimit = 1;
    });
    // Every instance closes a revoked user's WebSockets, whichever instance the Admin used.
    bus.AddConsumer<OperatorAccessRevokedConsumer>().Endpoint(endpoint => endpoint.PerInstance());
});

// Front door: /api/** to the monitor and the alerting service (authorised per route), everything else to the dashboard.
builder.Services.AddReverseProxy()
    .LoadProxyRoutes()
    .AddServiceDiscoveryDestinationResolver();
builder.Services.AddRequestProblemDetails();
// One OpenAPI document for everything behind the gateway (its own routes and those it proxies), with Scalar.
builder.Services.AddOpenApi(options =>
{
    options.AddDocumentTransformer<ServiceApiDocuments>();
    options.AddOperationTransformer<OperationRoles>();
});

var app = builder.Build();

app.UseForwardedHeaders();
app.UseProblemResponses(hsts: true);
app.UseHttpsWhenCertificateConfigured();
app.UseWebSockets();
app.UseAuthentication();
app.UseAntiforgeryForCookieWrites();
app.UseRateLimiter();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapOpenApi().RequireAuthorization(Policies.Viewer);
app.MapScalarApiReference(options => options.WithTitle("Sensors 360 API")).RequireAuthorization(Policies.Viewer);
app.MapAuthApi();
app.MapUsersApi();
app.MapTokensApi();
app.MapAuditApi();
app.MapWebSocketApi();
// Unknown /api paths answer 404 problem+json instead of falling through to the dashboard's pages.
app.Map("/api/{**rest}", () => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
    detail: "No API at this path; the operators' API is described in docs/api.md.")).WithOrder(500).ExcludeFromDescription();
app.MapReverseProxy();

app.Lifetime.ApplicationStopping.Register(() => app.Services.GetRequiredService<RealtimeHub>().CloseAll());
await app.PrepareDatabaseAsync();
app.Run();
