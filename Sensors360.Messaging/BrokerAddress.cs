using Microsoft.Extensions.Configuration;
using RabbitMQ.Client;

namespace Sensors360.Messaging;

/// <summary>One RabbitMQ node: where its AMQP listener is.</summary>
public readonly record struct BrokerNode(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>
/// The <c>messaging</c> connection string: one <c>amqp://user:password@host:port/vhost</c> URI, or one per node of a
/// RabbitMQ cluster separated by commas, all with the same user, password and virtual host. Everything that reads the
/// setting (the bus, the backlog probe, the tests) parses it here.
/// </summary>
public sealed class BrokerAddress
{
    public const int DefaultPort = 5672;

    BrokerAddress(string userName, string password, string virtualHost, IReadOnlyList<BrokerNode> nodes) =>
        (UserName, Password, VirtualHost, Nodes) = (userName, password, virtualHost, nodes);

    public string UserName { get; }

    public string Password { get; }

    public string VirtualHost { get; }

    /// <summary>At least one, in the order the setting lists them.</summary>
    public IReadOnlyList<BrokerNode> Nodes { get; }

    /// <summary>The nodes as RabbitMQ.Client endpoints, for <c>ConnectionFactory.CreateConnectionAsync(endpoints)</c>.</summary>
    public IReadOnlyList<AmqpTcpEndpoint> Endpoints => [.. Nodes.Select(n => new AmqpTcpEndpoint(n.Host, n.Port))];

    /// <summary>
    /// A RabbitMQ.Client factory signed in as this user on this virtual host. Its own host is the first node; connect
    /// with <see cref="Endpoints"/> to reach any of them.
    /// </summary>
    public ConnectionFactory CreateConnectionFactory() => new()
    {
        UserName = UserName,
        Password = Password,
        VirtualHost = VirtualHost,
        HostName = Nodes[0].Host,
        Port = Nodes[0].Port,
    };

    /// <summary>The connection string <paramref name="name"/> of <paramref name="configuration"/>, parsed.</summary>
    /// <exception cref="InvalidOperationException">It is missing.</exception>
    /// <exception cref="FormatException">It is malformed; the message names the setting and what is wrong.</exception>
    public static BrokerAddress FromConfiguration(IConfiguration configuration, string name = MessagingExtensions.ConnectionName) =>
        Parse(configuration.GetConnectionString(name) ?? throw new InvalidOperationException(
            $"Connection string '{name}' is missing. Run the service through Sensors360.AppHost or set " +
            $"ConnectionStrings__{name} to an amqp:// URI (several nodes: URIs separated by commas)."), name);

    /// <param name="connectionString">The setting's value.</param>
    /// <param name="name">The connection string's name, for the error messages.</param>
    /// <exception cref="FormatException">It is malformed; the message names the setting and what is wrong.</exception>
    public static BrokerAddress Parse(string? connectionString, string name = MessagingExtensions.ConnectionName)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw Malformed(name, "it is empty");
        }
        var parts = connectionString.Split(',', StringSplitOptions.TrimEntries);
        BrokerAddress? first = null;
        var nodes = new List<BrokerNode>(parts.Length);
        for (var i = 0; i < parts.Length; i++)
        {
            var node = ParseNode(parts[i], $"node {i + 1} of {parts.Length}", name);
            first ??= node;
            if (node.UserName != first.UserName || node.Password != first.Password)
            {
                throw Malformed(name, $"node {i + 1} ({node.Nodes[0]}) signs in with a different user or password from node 1; every node must use the same");
            }
            if (node.VirtualHost != first.VirtualHost)
            {
                throw Malformed(name, $"node {i + 1} ({node.Nodes[0]}) names virtual host '{node.VirtualHost}', node 1 '{first.VirtualHost}'; every node must use the same");
            }
            nodes.Add(node.Nodes[0]);
        }
        return new BrokerAddress(first!.UserName, first.Password, first.VirtualHost, nodes);
    }

    static BrokerAddress ParseNode(string text, string which, string name)
    {
        // The text may hold a password: messages name the node by its position or host, never quote it.
        if (text.Length == 0)
        {
            throw Malformed(name, $"{which} is empty (a stray comma?)");
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            throw Malformed(name, $"{which} is not a URI; expected amqp://user:password@host:port");
        }
        if (uri.Scheme != "amqp")
        {
            throw Malformed(name, $"{which} has scheme '{uri.Scheme}'; only amqp:// is supported");
        }
        if (uri.Host.Length == 0)
        {
            throw Malformed(name, $"{which} has no host");
        }
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw Malformed(name, $"{which} ({uri.Host}) has a query or fragment; none is read");
        }
        var path = uri.AbsolutePath.TrimStart('/');
        if (path.Contains('/'))
        {
            throw Malformed(name, $"{which} ({uri.Host}) has a path of several segments; the path is the virtual host (write '/' as %2F)");
        }
        var virtualHost = path.Length == 0 ? "/" : Uri.UnescapeDataString(path);

        // Without user info both client libraries sign in as guest/guest; so does this.
        var (user, password) = ("guest", "guest");
        if (uri.UserInfo.Length > 0)
        {
            var credentials = uri.UserInfo.Split(':', 2);
            if (credentials.Length < 2)
            {
                throw Malformed(name, $"{which} ({uri.Host}) gives a user but no password; expected amqp://user:password@host:port");
            }
            (user, password) = (Uri.UnescapeDataString(credentials[0]), Uri.UnescapeDataString(credentials[1]));
        }
        return new BrokerAddress(user, password, virtualHost, [new BrokerNode(uri.Host, uri.Port < 0 ? DefaultPort : uri.Port)]);
    }

    static FormatException Malformed(string name, string problem) => new(
        $"Connection string '{name}' (ConnectionStrings__{name}) is malformed: {problem}. It takes one amqp://user:password@host:port " +
        "URI, or one per RabbitMQ node separated by commas, all with the same user, password and virtual host.");

    /// <summary>Without the password, so the address can be logged.</summary>
    public override string ToString() =>
        $"amqp://{UserName}@{string.Join(',', Nodes)}/{(VirtualHost == "/" ? "" : Uri.EscapeDataString(VirtualHost))}";
}
