using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sensors360.AppHost.Infrastructure;

/// <summary>
/// The two things every service connects to, whichever way they are run. <see cref="Database"/> and
/// <see cref="Messaging"/> carry the administrators' credentials: for the AppHost and the tests only. A service gets
/// the connection string of its own login instead (<see cref="InfrastructureExtensions.WithDatabase{T}"/>,
/// <see cref="InfrastructureExtensions.WithMessaging{T}"/>).
/// </summary>
/// <param name="BrokerNodes">Every RabbitMQ node; services start once all of them run (quorum queues are made on the
/// nodes that exist when they are declared).</param>
/// <param name="ReadOnlyLogins">Per login, a connection string that prefers the standby (ha topology only).</param>
public sealed record SensorsInfrastructure(
    IResourceBuilder<IResourceWithConnectionString> Database,
    IResourceBuilder<IResourceWithConnectionString> Messaging,
    IReadOnlyList<IResourceBuilder<IResourceWithConnectionString>> BrokerNodes,
    IReadOnlyDictionary<DatabaseRole, IResourceBuilder<ConnectionStringResource>> DatabaseLogins,
    IReadOnlyDictionary<DatabaseRole, IResourceBuilder<ConnectionStringResource>> ReadOnlyLogins,
    IReadOnlyDictionary<BrokerUser, IResourceBuilder<ConnectionStringResource>> BrokerLogins);

public static class InfrastructureExtensions
{
    public const string PostgresName = "postgres";
    public const string DatabaseName = "sensorsdb";
    public const string MessagingName = "messaging";
    public const string StandbyName = "postgres-standby";
    /// <summary>The standby's replication name, which the primary's synchronous_standby_names waits for.</summary>
    const string StandbyApplicationName = "sensors360_standby";

    /// <summary>The ha topology's other RabbitMQ nodes are <c>messaging-2</c>, <c>messaging-3</c>.</summary>
    public static string BrokerNodeName(int node) => node == 1 ? MessagingName : $"{MessagingName}-{node}";

    /// <summary>
    /// Adds PostgreSQL (<c>postgres</c> with database <c>sensorsdb</c>) and RabbitMQ (<c>messaging</c>) according to
    /// <c>Infrastructure:Mode</c>. Resource and connection-string names are the same in every mode, so the services
    /// cannot tell the difference.
    /// </summary>
    /// <remarks>
    /// In the ha topology: three RabbitMQ nodes clustered (<see cref="BrokerNodeName"/>) and a streaming standby
    /// (<see cref="StandbyName"/>) that every commit waits for. The services' connection strings then name every node:
    /// several amqp:// URIs separated by commas, and Npgsql multi-host strings that pick the primary, wherever it is.
    /// </remarks>
    public static SensorsInfrastructure AddSensorsInfrastructure(this IDistributedApplicationBuilder builder, TopologyOptions topology)
    {
        var options = InfrastructureOptions.From(builder.Configuration);
        var mode = ResolveMode(builder, options.Mode);

        // Letters and digits only: the values travel inside amqp:// URIs and shell environments unescaped.
        var alphanumeric = new GenerateParameterDefault { MinLength = 24, Special = false };
        var postgresPassword = builder.AddParameter("postgres-password", alphanumeric, secret: true, persist: true);
        var messagingUser = builder.AddParameter("messaging-user", "sensors360");
        var messagingPassword = builder.AddParameter("messaging-password", alphanumeric, secret: true, persist: true);
        var databasePasswords = ServiceAccess.DatabaseRoles.ToDictionary(r => r,
            r => builder.AddParameter($"{r.ResourceName}-password", alphanumeric, secret: true, persist: true));
        var brokerPasswords = ServiceAccess.BrokerUsers.ToDictionary(u => u,
            u => builder.AddParameter($"{u.ResourceName}-password", alphanumeric, secret: true, persist: true));

        IResourceBuilder<IResourceWithConnectionString> database, messaging;
        List<EndpointReference> postgresEndpoints = [], amqpEndpoints = [];
        List<IResourceBuilder<IResourceWithConnectionString>> brokerNodes = [];
        if (mode == InfrastructureMode.Containers)
        {
            var server = builder.AddPostgres(PostgresName, password: postgresPassword)
                .WithDataVolume()
                .WithArgs(options.PostgresArguments());
            // The standby copies the primary and never archives: the stock image is enough, of the same version.
            var stockImage = server.StockImage();
            server.WithPgBackRest()
                .WithBackUpNowCommand(new Dictionary<string, string> { ["SENSORS360_INFRASTRUCTURE_MODE"] = "containers" });
            database = server.AddDatabase(DatabaseName);
            postgresEndpoints.Add(server.Resource.PrimaryEndpoint);
            if (topology.IsHa)
            {
                server.WithArgs(PrimaryArguments);
                postgresEndpoints.Add(builder.AddContainerStandby(StandbyName, server, stockImage, StandbyApplicationName, options.PostgresArguments()));
            }
            var cookie = topology.IsHa ? builder.AddParameter("messaging-cookie", alphanumeric, secret: true, persist: true) : null;
            for (var node = 1; node <= (topology.IsHa ? TopologyOptions.BrokerNodes : 1); node++)
            {
                var rabbit = builder.AddRabbitMQ(BrokerNodeName(node), messagingUser, messagingPassword)
                    .WithDataVolume()
                    .WithManagementPlugin();
                if (cookie is not null)
                {
                    rabbit.AsClusterMember(cookie, [.. Enumerable.Range(1, TopologyOptions.BrokerNodes).Select(BrokerNodeName)]);
                    if (node > 1)
                    {
                        rabbit.WaitFor(brokerNodes[0]);
                    }
                }
                // The node keeps what it is given in its data volume; each AppHost start brings it up to date.
                rabbit.OnResourceReady((r, e, ct) => ImportBrokerDefinitionsAsync(
                    r.ManagementEndpoint, messagingUser.Resource, messagingPassword.Resource, brokerPasswords, e.Services, ct));
                brokerNodes.Add(rabbit);
                amqpEndpoints.Add(rabbit.Resource.PrimaryEndpoint);
            }
            messaging = brokerNodes[0];
        }
        else
        {
            var dataRoot = options.DataDirectory;
            var ephemeral = dataRoot is null;
            dataRoot ??= Path.Combine(Path.GetTempPath(), $"sensors360-{Guid.NewGuid():N}"[..22]);

            var postgres = builder.AddLocalPostgres(PostgresName, postgresPassword.Resource, Path.Combine(dataRoot, "postgres"), ephemeral)
                .WithArgs(options.PostgresArguments())
                // Kept data can be backed up (eng/backup.sh): the server archives WAL with pgBackRest once it is set up.
                .WithEnvironment("WAL_ARCHIVE", ephemeral ? "0" : "1");
            if (!ephemeral)
            {
                postgres.WithBackUpNowCommand(new Dictionary<string, string>
                {
                    ["SENSORS360_INFRASTRUCTURE_MODE"] = "local",
                    ["SENSORS360_DATA_DIR"] = Path.GetFullPath(dataRoot),
                });
            }
            database = postgres.AddLocalDatabase(DatabaseName);
            postgresEndpoints.Add(postgres.Resource.Endpoint);
            if (topology.IsHa)
            {
                postgres.WithArgs(PrimaryArguments);
                var standby = builder.AddLocalStandby(StandbyName, postgres, Path.Combine(dataRoot, StandbyName), ephemeral)
                    .WithArgs(options.PostgresArguments())
                    .WithArgs(StandbyArguments);
                postgresEndpoints.Add(standby.Resource.Endpoint);
            }

            // A single node keeps its data where it always did; cluster members each have their own.
            var epmd = topology.IsHa ? builder.AddLocalEpmd($"{MessagingName}-epmd") : null;
            var cookie = topology.IsHa ? builder.AddParameter("messaging-cookie", alphanumeric, secret: true, persist: true) : null;
            string[] memberNames = [.. Enumerable.Range(1, TopologyOptions.BrokerNodes).Select(n => $"sensors360-{n}@localhost")];
            for (var node = 1; node <= (topology.IsHa ? TopologyOptions.BrokerNodes : 1); node++)
            {
                // Each node imports the users at every boot, before it accepts a connection, so a restart loses none.
                var rabbit = builder.AddLocalRabbitMq(BrokerNodeName(node), messagingUser.Resource, messagingPassword.Resource,
                    Path.Combine(dataRoot, epmd is null ? "rabbitmq" : $"rabbitmq-{node}"), ephemeral, epmd?.GetEndpoint("tcp"));
                rabbit.WithEnvironment(async context => context.EnvironmentVariables["RABBITMQ_DEFINITIONS"] = ServiceAccess.BrokerDefinitions(
                    (await messagingUser.Resource.GetValueAsync(context.CancellationToken))!,
                    (await messagingPassword.Resource.GetValueAsync(context.CancellationToken))!,
                    await ValuesAsync(brokerPasswords, context.CancellationToken)));
                if (epmd is not null && cookie is not null)
                {
                    rabbit.WithEnvironment("RABBITMQ_NODENAME", memberNames[node - 1])
                        .WithEnvironment("RABBITMQ_CLUSTER_NODES", string.Join(' ', memberNames))
                        .WithEnvironment("ERLANG_COOKIE", cookie)
                        .WaitFor(epmd);
                    if (node > 1)
                    {
                        // A fresh node joins the cluster of the first: it must be up, or the fresh nodes form clusters of their own.
                        rabbit.WaitFor(brokerNodes[0]);
                    }
                }
                brokerNodes.Add(rabbit);
                amqpEndpoints.Add(rabbit.Resource.AmqpEndpoint);
            }
            messaging = brokerNodes[0];
        }

        // The services' roles exist before any service starts: services wait for the database to be ready, and
        // readiness waits for this.
        database.OnResourceReady(async (db, e, ct) => await ServiceAccess.ProvisionDatabaseAsync(
            (await db.ConnectionStringExpression.GetValueAsync(ct))!, await ValuesAsync(databasePasswords, ct), ct));

        var databaseLogins = ServiceAccess.DatabaseRoles.ToDictionary(r => r, r => builder.AddConnectionString(r.ResourceName,
            DatabaseLogin(postgresEndpoints, r, databasePasswords[r].Resource, postgresEndpoints.Count > 1 ? PrimaryOfSeveral : "")));
        var readOnlyLogins = postgresEndpoints.Count == 1 ? [] : ServiceAccess.DatabaseRoles.ToDictionary(r => r, r => builder.AddConnectionString(
            $"{r.ResourceName}-readonly", DatabaseLogin(postgresEndpoints, r, databasePasswords[r].Resource, ";Target Session Attributes=prefer-standby;Timeout=5")));
        var brokerLogins = ServiceAccess.BrokerUsers.ToDictionary(u => u, u => builder.AddConnectionString(u.ResourceName,
            BrokerLogin(amqpEndpoints, u, brokerPasswords[u].Resource)));
        return new SensorsInfrastructure(database, messaging, brokerNodes, databaseLogins, readOnlyLogins, brokerLogins);
    }

    /// <summary>
    /// With several servers, the one that takes writes. Npgsql remembers each server's role for Host Recheck Seconds
    /// (10 by default), so after a promotion the services would refuse the new primary that long.
    /// </summary>
    const string PrimaryOfSeveral = ";Target Session Attributes=primary;Host Recheck Seconds=2";

    /// <summary>Every commit waits until the standby has it, so promoting the standby loses nothing acknowledged.</summary>
    static readonly string[] PrimaryArguments = ["-c", $"synchronous_standby_names={StandbyApplicationName}", "-c", "max_slot_wal_keep_size=4GB"];

    /// <summary>Long reads on the standby are not cancelled by the primary's vacuum.</summary>
    static readonly string[] StandbyArguments = ["-c", "hot_standby_feedback=on"];

    /// <summary>
    /// An Npgsql connection string naming every server, ending in <paramref name="settings"/> (with several servers,
    /// which to pick; a standby that drops packets instead of refusing costs a read the connect timeout before it falls
    /// back to the primary).
    /// </summary>
    static ReferenceExpression DatabaseLogin(List<EndpointReference> servers, DatabaseRole role, ParameterResource password, string settings)
    {
        var login = new ReferenceExpressionBuilder();
        login.AppendLiteral("Host=");
        for (var i = 0; i < servers.Count; i++)
        {
            login.Append($"{(i > 0 ? "," : "")}{servers[i].Property(EndpointProperty.IPV4Host)}:{servers[i].Property(EndpointProperty.Port)}");
        }
        login.Append($";Username={role.Role};Password={password};Database={DatabaseName}");
        login.AppendLiteral(settings);
        return login.Build();
    }

    /// <summary>One amqp:// URI per node, separated by commas (Sensors360.Messaging connects to any that answers).</summary>
    static ReferenceExpression BrokerLogin(List<EndpointReference> nodes, BrokerUser user, ParameterResource password)
    {
        var login = new ReferenceExpressionBuilder();
        for (var i = 0; i < nodes.Count; i++)
        {
            login.Append($"{(i > 0 ? "," : "")}amqp://{user.Name}:{password}@{nodes[i].Property(EndpointProperty.IPV4Host)}:{nodes[i].Property(EndpointProperty.Port)}");
        }
        return login.Build();
    }

    /// <summary>The service connects to <c>sensorsdb</c> (its connection string of that name) as <paramref name="role"/>.</summary>
    public static IResourceBuilder<T> WithDatabase<T>(this IResourceBuilder<T> service, SensorsInfrastructure infrastructure, DatabaseRole role)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport =>
        service.WithReference(infrastructure.DatabaseLogins[role], DatabaseName).WaitFor(infrastructure.Database);

    /// <summary>The service connects to <c>messaging</c> (its connection string of that name) as <paramref name="user"/>.</summary>
    public static IResourceBuilder<T> WithMessaging<T>(this IResourceBuilder<T> service, SensorsInfrastructure infrastructure, BrokerUser user)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport
    {
        service.WithReference(infrastructure.BrokerLogins[user], MessagingName);
        foreach (var node in infrastructure.BrokerNodes)
        {
            service.WaitFor(node);
        }
        return service;
    }

    /// <summary>
    /// With a standby (ha topology), the service's read-only queries may go there: connection string
    /// <c>sensorsdb-readonly</c>, as <paramref name="role"/>, falling back to the primary while the standby is down.
    /// </summary>
    public static IResourceBuilder<T> WithReadOnlyDatabase<T>(this IResourceBuilder<T> service, SensorsInfrastructure infrastructure, DatabaseRole role)
        where T : IResourceWithEnvironment =>
        infrastructure.ReadOnlyLogins.TryGetValue(role, out var login) ? service.WithReference(login, $"{DatabaseName}-readonly") : service;

    static async Task<Dictionary<TKey, string>> ValuesAsync<TKey>(
        Dictionary<TKey, IResourceBuilder<ParameterResource>> parameters, CancellationToken cancellationToken) where TKey : notnull
    {
        var values = new Dictionary<TKey, string>();
        foreach (var (key, parameter) in parameters)
        {
            values[key] = (await parameter.Resource.GetValueAsync(cancellationToken))!;
        }
        return values;
    }

    /// <summary>Imports the users and permissions into a running broker through its management API.</summary>
    static async Task ImportBrokerDefinitionsAsync(EndpointReference management, ParameterResource adminUser, ParameterResource adminPassword,
        Dictionary<BrokerUser, IResourceBuilder<ParameterResource>> passwords, IServiceProvider services, CancellationToken cancellationToken)
    {
        var user = (await adminUser.GetValueAsync(cancellationToken))!;
        var password = (await adminPassword.GetValueAsync(cancellationToken))!;
        var definitions = ServiceAccess.BrokerDefinitions(user, password, await ValuesAsync(passwords, cancellationToken));
        using var http = new HttpClient { BaseAddress = new Uri(management.Url), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        using var response = await http.PostAsync("/api/definitions", new StringContent(definitions, Encoding.UTF8, "application/json"), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(InfrastructureExtensions))
                .LogError("Importing the services' RabbitMQ users failed: {Status} {Detail}", (int)response.StatusCode, detail);
            response.EnsureSuccessStatusCode();
        }
    }

    static InfrastructureMode ResolveMode(IDistributedApplicationBuilder builder, InfrastructureMode requested)
    {
        if (requested != InfrastructureMode.Auto)
        {
            return requested;
        }

        var runtime = ContainerRuntimeProbe.FindRunningRuntime();
        if (runtime is null)
        {
            return InfrastructureMode.Local;
        }

        if (runtime == "podman" && string.IsNullOrEmpty(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"]))
        {
            builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] = "podman";
        }
        return InfrastructureMode.Containers;
    }

    internal static string ScriptPath(this IDistributedApplicationBuilder builder, string script) =>
        Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "eng", "infra", script));
}
