using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Realtime.Gateway.Proxy;

/// <summary>
/// Makes the gateway's OpenAPI document describe everything an operator can call here: the gateway's own routes plus
/// the routes it proxies to each service (read from that service's own document, so each route is described once, where
/// it is served). The services' internal routes, which the gateway never proxies, are left out.
/// </summary>
public sealed class ServiceApiDocuments(IHttpClientFactory clients, ILogger<ServiceApiDocuments> logger) : IOpenApiDocumentTransformer
{
    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Sensors 360 — operators' API (through the gateway)";
        document.Info.Description = "Sign in with POST /api/auth/login (session cookie; writes also need the X-XSRF-TOKEN header from "
            + "GET /api/auth/antiforgery) or send 'Authorization: Bearer <token>' (POST /api/auth/token or an Admin's API token). "
            + "Each route needs the role its description names: Viewer reads, Operator changes sensors, Admin manages the rest.";
        foreach (var (cluster, _) in ProxyRoutes.Services)
        {
            if (await ReadAsync(cluster, cancellationToken) is { } service)
            {
                Merge(document, cluster, service);
            }
            else
            {
                document.Info.Description += $" (The {cluster} service's routes are missing from this copy: it did not answer.)";
            }
        }
    }

    async Task<OpenApiDocument?> ReadAsync(string cluster, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await clients.CreateClient(ProxyRoutes.ClientName(cluster)).GetStreamAsync("/openapi/v1.json", cancellationToken);
            return (await OpenApiDocument.LoadAsync(stream, "json", cancellationToken: cancellationToken)).Document;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "The {Service} service's OpenAPI document is unavailable; serving the others' routes only", cluster);
            return null;
        }
    }

    static void Merge(OpenApiDocument document, string cluster, OpenApiDocument service)
    {
        document.Paths ??= [];
        foreach (var (path, item) in service.Paths.Where(p => ProxyRoutes.IsProxiedTo(cluster, p.Key)))
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
        if (service.Components?.Schemas is { } schemas)
        {
            document.Components ??= new OpenApiComponents();
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            foreach (var (name, schema) in schemas)
            {
                document.Components.Schemas.TryAdd(name, schema);
            }
        }
        if (service.Tags is { } tags)
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
