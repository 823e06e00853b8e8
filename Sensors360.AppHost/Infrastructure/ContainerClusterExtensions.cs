using Aspire.Hosting.Postgres;

namespace Sensors360.AppHost.Infrastructure;

/// <summary>
/// The ha topology in container mode: RabbitMQ nodes that form one cluster, and a PostgreSQL standby container that
/// copies the primary with pg_basebackup and then streams from it. Containers reach each other by resource name.
/// </summary>
public static class ContainerClusterExtensions
{
    const string PostgresData = "/var/lib/postgresql/data";

    /// <summary>
    /// Makes the node <c>rabbit@&lt;resource name&gt;</c>, sharing <paramref name="cookie"/> with the other
    /// <paramref name="members"/> (resource names); a fresh node joins the first of them that runs.
    /// </summary>
    public static IResourceBuilder<RabbitMQServerResource> AsClusterMember(
        this IResourceBuilder<RabbitMQServerResource> node, IResourceBuilder<ParameterResource> cookie, string[] members)
    {
        var config = string.Join('\n', [
            "cluster_formation.peer_discovery_backend = classic_config",
            .. members.Select((member, i) => $"cluster_formation.classic_config.nodes.{i + 1} = rabbit@{member}"),
            "cluster_partition_handling = pause_minority",
            ""]);
        return node
            .WithContainerRuntimeArgs("--hostname", node.Resource.Name)
            .WithEnvironment("RABBITMQ_NODENAME", $"rabbit@{node.Resource.Name}")
            .WithEnvironment(context =>
            {
                var erlangArguments = ReferenceExpression.Create($"-setcookie {cookie.Resource}");
                context.EnvironmentVariables["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = erlangArguments;
                context.EnvironmentVariables["RABBITMQ_CTL_ERL_ARGS"] = erlangArguments;
            })
            .WithContainerFiles("/etc/rabbitmq/conf.d", [new ContainerFile { Name = "20-cluster.conf", Contents = config }]);
    }

    /// <summary>
    /// A streaming hot standby of <paramref name="primary"/> in a container of <paramref name="image"/> (the primary's
    /// version), made on first start with pg_basebackup through the replication slot <paramref name="applicationName"/>.
    /// Returns its endpoint.
    /// </summary>
    public static EndpointReference AddContainerStandby(this IDistributedApplicationBuilder builder, string name,
        IResourceBuilder<PostgresServerResource> primary, ContainerImageAnnotation image, string applicationName, string[] settings)
    {
        var primaryHost = primary.Resource.Name;
        var start = $"""
            set -e
            if [ ! -s "$PGDATA/PG_VERSION" ]; then
              until pg_isready -q -h {primaryHost} -p 5432; do sleep 1; done
              mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 700 "$PGDATA"
              gosu postgres pg_basebackup -h {primaryHost} -p 5432 -U postgres -D "$PGDATA" --write-recovery-conf \
                --wal-method=stream --create-slot --slot={applicationName} --checkpoint=fast --no-password
            elif [ ! -f "$PGDATA/standby.signal" ]; then
              echo "this standby was promoted; rebuild it or its old primary first (docs/scaling.md)" >&2; exit 1
            fi
            exec docker-entrypoint.sh postgres "$@" \
              -c "primary_conninfo=host={primaryHost} port=5432 user=postgres application_name={applicationName}" \
              -c primary_slot_name={applicationName} -c hot_standby_feedback=on
            """;
        var standby = builder.AddContainer(name, image.Image, image.Tag ?? "latest")
            .WithImageRegistry(image.Registry ?? "docker.io")
            .WithEndpoint(targetPort: 5432, name: "tcp", scheme: "tcp")
            .WithVolume($"{name}-data", PostgresData)
            .WithEnvironment("PGDATA", PostgresData)
            // Both pg_basebackup and the standby's WAL receiver (libpq) read the primary's password from here.
            .WithEnvironment("PGPASSWORD", primary.Resource.PasswordParameter)
            .WithEnvironment("POSTGRES_PASSWORD", primary.Resource.PasswordParameter)
            .WithEntrypoint("bash")
            .WithArgs(["-c", start, "standby", .. settings])
            // Not WaitFor: the primary's readiness includes creating the database, a commit that waits for this standby.
            .WaitForStart(primary);
        return standby.GetEndpoint("tcp");
    }
}
