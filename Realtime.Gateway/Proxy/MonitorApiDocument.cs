using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Realtime.Gateway.Proxy;

/// <summary>
/// Makes the gateway's OpenAPI document describe everything an operator can call here: the gateway's own routes plus
/// the monitor's routes it proxies (read from the monitor's own document, so each route is described once, where it is
/// served). The monitor's internal routes, which the gateway never proxies, are left out.
/// </summary>
public sealed class MonitorApiDocument(IHttpClientFactory clients, ILogger<MonitorApiDocument> logger) : IOpenApiDocumentTransformer
{
    public const string ClientName = "monitor-openapi";

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Sensors 360 — operators' API (through the gateway)";
        document.Info.Description = "Sign in with POST /api/auth/login (session cookie; writes also need the X-XSRF-TOKEN header from "
            + "GET /api/auth/antiforgery) or send 'Authorization: Bearer <token>' (POST /api/auth/token or an Admin's API token). "
            + "Each route needs the role its description names: Viewer reads, Operator changes sensors, Admin manages the rest.";

        OpenApiDocument? monitor;
        try
        {
            await using var stream = await clients.CreateClient(ClientName).GetStreamAsync("/openapi/v1.json", cancellationToken);
            monitor = (await OpenApiDocument.LoadAsync(stream, "json", cancellationToken: cancellationToken)).Document;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "The monitor's OpenAPI document is unavailable; serving the gateway's own routes only");
            document.Info.Description += " (The monitor's routes are missing from this copy: the monitor did not answer.)";
            return;
        }
        if (monitor is null)
        {
            return;
        }

        document.Paths ??= [];
        foreach (var (path, item) in monitor.Paths.Where(p => ProxyRoutes.IsProxiedToMonitor(p.Key)))
        {
            foreach (var (method, operation) in item.Operations ?? [])
            {
                if (ProxyRoutes.PolicyFor(path, method.Method) is { } policy)
                {
                    OperationRoles.Describe(operation, policy);
                }
            }
            document.Paths.TryAdd(path, item);
        }
        if (monitor.Components?.Schemas is { } schemas)
        {
            document.Components ??= new OpenApiComponents();
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            foreach (var (name, schema) in schemas)
            {
                document.Components.Schemas.TryAdd(name, schema);
            }
        }
        if (monitor.Tags is { } tags)
        {
            document.Tags ??= new HashSet<OpenApiTag>();
            foreach (var tag in tags)
            {
                document.Tags.Add(tag);
            }
        }
    }
}

/// <summary>Names the role an operation needs at the end of its description (the gateway's own routes here; proxied ones above).</summary>
public sealed class OperationRoles : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var policy = context.Description.ActionDescriptor.EndpointMetadata
            .OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
        if (policy is not null)
        {
            Describe(operation, policy);
        }
        return Task.CompletedTask;
    }

    public static void Describe(OpenApiOperation operation, string policy)
    {
        var role = policy switch
        {
            Identity.Policies.Viewer => "Viewer",
            Identity.Policies.Operator => "Operator",
            Identity.Policies.Admin => "Admin",
            _ => null,
        };
        if (role is not null)
        {
            operation.Description = (operation.Description is { Length: > 0 } d ? d + "\n\n" : "") + $"Needs the {role} role (or higher).";
        }
    }
}
