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
public sealed record SensorsInfrastructure(
    IResourceBuilder<IResourceWithConnectionString> Database,
    IResourceBuilder<IResourceWithConnectionString> Messaging,
    IReadOnlyDictionary<DatabaseRole, IResourceBuilder<ConnectionStringResource>> DatabaseLogins,
    IReadOnlyDictionary<BrokerUser, IResourceBuilder<ConnectionStringResource>> BrokerLogins);

public static class InfrastructureExtensions
{
    public const string PostgresName = "postgres";
    public const string DatabaseName = "sensorsdb";
    public const string MessagingName = "messaging";

    /// <summary>
    /// Adds PostgreSQL (<c>postgres</c> with database <c>sensorsdb</c>) and RabbitMQ (<c>messaging</c>) according to
    /// <c>Infrastructure:Mode</c>. Resource and connection-string names are the same in every mode, so the services
    /// cannot tell the difference.
    /// </summary>
    public static SensorsInfrastructure AddSensorsInfrastructure(this IDistributedApplicationBuilder builder)
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
        EndpointReference postgresEndpoint, amqpEndpoint;
        if (mode == InfrastructureMode.Containers)
        {
            var server = builder.AddPostgres(PostgresName, password: postgresPassword)
                .WithDataVolume()
                .WithArgs(options.PostgresArguments());
            database = server.AddDatabase(DatabaseName);
            postgresEndpoint = server.Resource.PrimaryEndpoint;
            var rabbit = builder.AddRabbitMQ(MessagingName, messagingUser, messagingPassword)
                .WithDataVolume()
                .WithManagementPlugin();
            // The node keeps what it is given in its data volume; each AppHost start brings it up to date.
            rabbit.OnResourceReady((r, e, ct) => ImportBrokerDefinitionsAsync(
                r.ManagementEndpoint, messagingUser.Resource, messagingPassword.Resource, brokerPasswords, e.Services, ct));
            messaging = rabbit;
            amqpEndpoint = rabbit.Resource.PrimaryEndpoint;
        }
        else
        {
            var dataRoot = options.DataDirectory;
            var ephemeral = dataRoot is null;
            dataRoot ??= Path.Combine(Path.GetTempPath(), $"sensors360-{Guid.NewGuid():N}"[..22]);

            var postgres = builder.AddLocalPostgres(PostgresName, postgresPassword.Resource, Path.Combine(dataRoot, "postgres"), ephemeral)
                .WithArgs(options.PostgresArguments());
            database = postgres.AddLocalDatabase(DatabaseName);
            postgresEndpoint = postgres.Resource.Endpoint;
            // The node imports the users at every boot, before it accepts a connection, so a restart loses none.
            var rabbit = builder.AddLocalRabbitMq(
                MessagingName, messagingUser.Resource, messagingPassword.Resource, Path.Combine(dataRoot, "rabbitmq"), ephemeral);
            rabbit.WithEnvironment(async context => context.EnvironmentVariables["RABBITMQ_DEFINITIONS"] = ServiceAccess.BrokerDefinitions(
                (await messagingUser.Resource.GetValueAsync(context.CancellationToken))!,
                (await messagingPassword.Resource.GetValueAsync(context.CancellationToken))!,
                await ValuesAsync(brokerPasswords, context.CancellationToken)));
            messaging = rabbit;
            amqpEndpoint = rabbit.Resource.AmqpEndpoint;
        }

        // The services' roles exist before any service starts: services wait for the database to be ready, and
        // readiness waits for this.
        database.OnResourceReady(async (db, e, ct) => await ServiceAccess.ProvisionDatabaseAsync(
            (await db.ConnectionStringExpression.GetValueAsync(ct))!, await ValuesAsync(databasePasswords, ct), ct));

        var databaseLogins = ServiceAccess.DatabaseRoles.ToDictionary(r => r, r => builder.AddConnectionString(r.ResourceName, ReferenceExpression.Create(
            $"Host={postgresEndpoint.Property(EndpointProperty.IPV4Host)};Port={postgresEndpoint.Property(EndpointProperty.Port)};Username={r.Role};Password={databasePasswords[r].Resource};Database={DatabaseName}")));
        var brokerLogins = ServiceAccess.BrokerUsers.ToDictionary(u => u, u => builder.AddConnectionString(u.ResourceName, ReferenceExpression.Create(
            $"amqp://{u.Name}:{brokerPasswords[u].Resource}@{amqpEndpoint.Property(EndpointProperty.IPV4Host)}:{amqpEndpoint.Property(EndpointProperty.Port)}")));
        return new SensorsInfrastructure(database, messaging, databaseLogins, brokerLogins);
    }

    /// <summary>The service connects to <c>sensorsdb</c> (its connection string of that name) as <paramref name="role"/>.</summary>
    public static IResourceBuilder<T> WithDatabase<T>(this IResourceBuilder<T> service, SensorsInfrastructure infrastructure, DatabaseRole role)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport =>
        service.WithReference(infrastructure.DatabaseLogins[role], DatabaseName).WaitFor(infrastructure.Database);

    /// <summary>The service connects to <c>messaging</c> (its connection string of that name) as <paramref name="user"/>.</summary>
    public static IResourceBuilder<T> WithMessaging<T>(this IResourceBuilder<T> service, SensorsInfrastructure infrastructure, BrokerUser user)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport =>
        service.WithReference(infrastructure.BrokerLogins[user], MessagingName).WaitFor(infrastructure.Messaging);

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
