namespace Sensors360.AppHost.Infrastructure;

/// <summary>The two things every service connects to, whichever way they are run.</summary>
public sealed record SensorsInfrastructure(
    IResourceBuilder<IResourceWithConnectionString> Database,
    IResourceBuilder<IResourceWithConnectionString> Messaging);

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

        if (mode == InfrastructureMode.Containers)
        {
            var database = builder.AddPostgres(PostgresName, password: postgresPassword)
                .WithDataVolume()
                .WithArgs(options.PostgresArguments())
                .AddDatabase(DatabaseName);
            var messaging = builder.AddRabbitMQ(MessagingName, messagingUser, messagingPassword)
                .WithDataVolume()
                .WithManagementPlugin();
            return new SensorsInfrastructure(database, messaging);
        }

        var dataRoot = options.DataDirectory;
        var ephemeral = dataRoot is null;
        dataRoot ??= Path.Combine(Path.GetTempPath(), $"sensors360-{Guid.NewGuid():N}"[..22]);

        var postgres = builder.AddLocalPostgres(PostgresName, postgresPassword.Resource, Path.Combine(dataRoot, "postgres"), ephemeral)
            .WithArgs(options.PostgresArguments());
        var localDatabase = postgres.AddLocalDatabase(DatabaseName);
        var localMessaging = builder.AddLocalRabbitMq(
            MessagingName, messagingUser.Resource, messagingPassword.Resource, Path.Combine(dataRoot, "rabbitmq"), ephemeral);
        return new SensorsInfrastructure(localDatabase, localMessaging);
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
