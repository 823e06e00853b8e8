namespace Sensors360.AppHost.Infrastructure;

/// <summary>The machine's PostgreSQL server, run by <c>eng/infra/postgres.sh</c>.</summary>
public sealed class LocalPostgresResource(string name, string script, string workingDirectory, ParameterResource password, string dataDirectory)
    : ExecutableResource(name, script, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public ParameterResource Password { get; } = password;

    /// <summary>Where the cluster lives; deleted on exit when the AppHost made it for one run.</summary>
    public string DataDirectory { get; } = dataDirectory;

    public EndpointReference Endpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={Endpoint.Property(EndpointProperty.IPV4Host)};Port={Endpoint.Property(EndpointProperty.Port)};Username=postgres;Password={Password}");
}

/// <summary>A database inside <see cref="LocalPostgresResource"/>; the wrapper script creates it on start.</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresResource>, IResourceWithConnectionString
{
    public string DatabaseName { get; } = databaseName;

    public LocalPostgresResource Parent { get; } = parent;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{Parent};Database={DatabaseName}");
}
