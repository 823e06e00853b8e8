using HealthChecks.NpgSql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Sensors360.AppHost.Infrastructure;

/// <summary>
/// PostgreSQL and RabbitMQ as local processes, for machines without a container engine. Each runs through a
/// wrapper script in eng/infra that forwards SIGTERM and cleans up (epmd, throwaway data), because DCP stops
/// executables by signalling the process it started.
/// </summary>
public static class LocalInfrastructureExtensions
{
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, ParameterResource password, string dataDirectory, bool ephemeral)
    {
        var script = builder.ScriptPath("postgres.sh");
        var resource = new LocalPostgresResource(name, script, Path.GetDirectoryName(script)!, password, dataDirectory);

        return builder.AddResource(resource)
            .WithEndpoint(name: LocalPostgresResource.EndpointName, scheme: "tcp", env: "PGPORT", isProxied: false)
            .WithEnvironment("PGDATA_DIR", dataDirectory)
            .WithEnvironment("EPHEMERAL", ephemeral ? "1" : "0")
            .WithEnvironment("POSTGRES_PASSWORD", password)
            .WithIconName("DatabaseMultiple")
            .WithConnectionHealthCheck(";Database=postgres;Timeout=5", PostgresProbe)
            .ExcludeFromManifest();
    }

    public static IResourceBuilder<LocalPostgresDatabaseResource> AddLocalDatabase(
        this IResourceBuilder<LocalPostgresResource> server, string name)
    {
        var builder = server.ApplicationBuilder;
        var database = new LocalPostgresDatabaseResource(name, name, server.Resource);
        server.WithEnvironment("POSTGRES_DB", database.DatabaseName);

        return builder.AddResource(database)
            .WithParentRelationship(server)
            // DCP reports state for the server process only; the database is "running" whenever its server is.
            .OnInitializeResource((db, e, ct) =>
            {
                _ = MirrorParentStateAsync(db, e.Notifications, ct);
                return Task.CompletedTask;
            })
            .WithConnectionHealthCheck(";Timeout=5", PostgresProbe)
            .ExcludeFromManifest();
    }

    /// <param name="sharedEpmd">The epmd every member of a cluster registers with; null: the node runs its own.</param>
    public static IResourceBuilder<LocalRabbitMqResource> AddLocalRabbitMq(
        this IDistributedApplicationBuilder builder, string name, ParameterResource userName, ParameterResource password,
        string dataDirectory, bool ephemeral, EndpointReference? sharedEpmd = null)
    {
        var script = builder.ScriptPath("rabbitmq.sh");
        var resource = new LocalRabbitMqResource(name, script, Path.GetDirectoryName(script)!, userName, password, dataDirectory);

        var node = builder.AddResource(resource)
            .WithEndpoint(name: LocalRabbitMqResource.AmqpEndpointName, scheme: "tcp", env: "RABBITMQ_NODE_PORT", isProxied: false)
            .WithEndpoint(name: "dist", scheme: "tcp", env: "RABBITMQ_DIST_PORT", isProxied: false)
            .WithHttpEndpoint(name: LocalRabbitMqResource.ManagementEndpointName, env: "RABBITMQ_MANAGEMENT_PORT", isProxied: false)
            .WithUrlForEndpoint(LocalRabbitMqResource.ManagementEndpointName, url => url.DisplayText = "Management UI")
            .WithEnvironment("RABBITMQ_DATA_DIR", dataDirectory)
            .WithEnvironment("EPHEMERAL", ephemeral ? "1" : "0")
            .WithEnvironment("RABBITMQ_USER", userName)
            .WithEnvironment("RABBITMQ_PASSWORD", password)
            .WithIconName("Mail")
            .WithConnectionHealthCheck("", uri => new RabbitMqConnectHealthCheck(uri))
            .ExcludeFromManifest();
        return sharedEpmd is null
            ? node.WithEndpoint(name: "epmd", scheme: "tcp", env: "ERL_EPMD_PORT", isProxied: false)
            : node.WithEnvironment("ERL_EPMD_PORT", sharedEpmd.Property(EndpointProperty.Port)).WithEnvironment("EPMD_SHARED", "1");
    }

    /// <summary>
    /// Erlang's port mapper for the members of a local RabbitMQ cluster: they find each other through it, so it must
    /// outlive any one of them (a node that ran it would take it down when killed).
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddLocalEpmd(this IDistributedApplicationBuilder builder, string name)
    {
        var epmd = builder.AddExecutable(name, "epmd", builder.AppHostDirectory)
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "ERL_EPMD_PORT", isProxied: false)
            .WithEnvironment("ERL_EPMD_ADDRESS", "127.0.0.1")
            .WithIconName("PlugConnected")
            .ExcludeFromManifest();
        var endpoint = epmd.GetEndpoint("tcp");
        var key = $"{name}_check";
        builder.Services.AddHealthChecks().AddAsyncCheck(key, async cancellationToken =>
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy("epmd does not answer yet.", ex);
            }
        });
        return epmd.WithHealthCheck(key);
    }

    /// <summary>
    /// A streaming hot standby of <paramref name="primary"/>, copied from it with pg_basebackup on first start (the
    /// wrapper script's PRIMARY_PORT mode).
    /// </summary>
    public static IResourceBuilder<LocalPostgresResource> AddLocalStandby(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<LocalPostgresResource> primary, string dataDirectory, bool ephemeral) =>
        builder.AddLocalPostgres(name, primary.Resource.Password, dataDirectory, ephemeral)
            .WithEnvironment("PRIMARY_PORT", primary.Resource.Endpoint.Property(EndpointProperty.Port))
            // Not WaitFor: the primary's start-up writes wait for this standby (synchronous replication); the script
            // waits until the primary answers.
            .WaitForStart(primary);

    /// <summary>
    /// Registers a health check for a resource whose connection string is known only once its endpoints are allocated;
    /// until then the check reports unhealthy. <paramref name="connectionStringSuffix"/> adds probe-only settings.
    /// </summary>
    static IResourceBuilder<T> WithConnectionHealthCheck<T>(
        this IResourceBuilder<T> resource, string connectionStringSuffix, Func<string, IHealthCheck> createCheck)
        where T : IResourceWithConnectionString
    {
        string? connectionString = null;
        var key = $"{resource.Resource.Name}_check";
        resource.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            key,
            _ => createCheck(connectionString
                ?? throw new InvalidOperationException($"{resource.Resource.Name}: endpoints are not allocated yet.")),
            failureStatus: null,
            tags: null));

        return resource
            .OnConnectionStringAvailable(async (r, _, ct) =>
                connectionString = await r.ConnectionStringExpression.GetValueAsync(ct) + connectionStringSuffix)
            .WithHealthCheck(key);
    }

    static NpgSqlHealthCheck PostgresProbe(string connectionString) =>
        new(new NpgSqlHealthCheckOptions(connectionString) { CommandText = "SELECT 1" });

    static async Task MirrorParentStateAsync(LocalPostgresDatabaseResource database, ResourceNotificationService notifications, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(cancellationToken))
            {
                if (update.Resource != database.Parent)
                {
                    continue;
                }

                var parent = update.Snapshot;
                await notifications.PublishUpdateAsync(database, state => state with
                {
                    State = parent.State,
                    StartTimeStamp = parent.StartTimeStamp,
                    StopTimeStamp = parent.StopTimeStamp,
                    ExitCode = parent.ExitCode,
                });
            }
        }
        catch (OperationCanceledException)
        {
            // The AppHost is stopping.
        }
    }
}
