using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Sensors360.Contracts;

namespace Sensors360.AppHost.Infrastructure;

/// <summary>A PostgreSQL login of one service: the schema it owns, and nothing else.</summary>
/// <param name="Role">The login role (also the user name in the service's connection string).</param>
/// <param name="Schema">The only schema the role may use; it owns the schema and every object in it.</param>
public sealed record DatabaseRole(string Role, string Schema)
{
    /// <summary>The name of the service's connection-string resource and of its password parameter's prefix.</summary>
    public string ResourceName => $"{InfrastructureExtensions.DatabaseName}-{Role.Replace("sensors_", "")}";
}

/// <summary>
/// A RabbitMQ user of one service and its permissions on the default virtual host: regular expressions over
/// exchange and queue names (RabbitMQ does not tell the two apart), anchored by the broker.
/// </summary>
public sealed record BrokerUser(string Name, string Configure, string Write, string Read)
{
    public string ResourceName => $"{InfrastructureExtensions.MessagingName}-{Name.Replace("sensors-", "")}";
}

/// <summary>
/// Who may do what in PostgreSQL and RabbitMQ: one login per service, with only the rights that service needs. The
/// AppHost keeps the administrators (<c>postgres</c>, the <c>messaging-user</c>) for itself and the tests; every
/// service gets the connection string of its own login (see <see cref="InfrastructureExtensions"/>). Applied the same
/// way in both infrastructure modes: <see cref="ProvisionDatabaseAsync"/> against the running server, and
/// <see cref="BrokerDefinitions"/> imported by the node at boot (local) or through the management API (containers).
/// </summary>
public static class ServiceAccess
{
    // PostgreSQL. The gateway's Identity tables live in its own schema (Realtime.Gateway's GatewayDbContext.Schema).
    public static readonly DatabaseRole MonitorWorkerDatabase = new("sensors_worker", "public");
    public static readonly DatabaseRole GatewayDatabase = new("sensors_gateway", "identity");
    // Alerting.Service's AlertingDbContext.Schema.
    public static readonly DatabaseRole AlertingDatabase = new("sensors_alerting", "alerting");
    public static readonly IReadOnlyList<DatabaseRole> DatabaseRoles = [MonitorWorkerDatabase, GatewayDatabase, AlertingDatabase];

    // RabbitMQ names, as MassTransit spells them: a message type's exchange is "<namespace>:<type>"; a receive
    // endpoint is an exchange and a queue of the endpoint's name, with "_error" and "_skipped" beside it; temporary
    // endpoints (the bus's own, the gateway's heartbeat tap) are "<machine>_<process>_bus|endpoint_<id>".
    static string Exchange<T>() => $"{typeof(T).Namespace}:{typeof(T).Name}".Replace(".", @"\.");
    static string AnyOf(params string[] names) => $"({string.Join('|', names)})";
    static string Endpoints(params string[] names) => $"{AnyOf(names)}(_error|_skipped)?";
    static string Only(params string[] names) => $"^{AnyOf(names)}$";

    const string Temporary = @"[A-Za-z0-9_]+_(bus|endpoint)_[a-z0-9]+";

    // A consumer that gives up on a message publishes Fault<T> before it moves the message to its _error queue; when
    // the publish is refused the move fails too. Fault<T>'s exchange ("MassTransit:Fault--<T's exchange>--") is bound
    // to the exchange of Fault itself ("MassTransit:Fault", where every service's faults meet), which needs read on the
    // first and write on the second. Nothing consumes them.
    static string FaultsOf(params string[] consumed) => $"MassTransit:Fault--{AnyOf(consumed)}--";
    const string AllFaults = "MassTransit:Fault";
    const string PerInstance = "-[0-9a-f]{12}";   // MessagingExtensions.PerInstance: "<endpoint>-<instance id>"

    /// <summary>Sensor and collector key changes: the ingestion API trusts them to admit heartbeats.</summary>
    public static readonly string RegistryEvents = AnyOf(Exchange<SensorRegistered>(), Exchange<SensorRetired>(),
        Exchange<SensorEdited>(), Exchange<SensorKeyRotated>(), Exchange<CollectorKeyCreated>(), Exchange<CollectorKeyRevoked>());

    static readonly string StatusEvents = AnyOf(Exchange<SensorStateChanged>(), Exchange<SensorStateChangeBatch>(),
        Exchange<SensorStatusSnapshot>(), Exchange<StaleSensorsDetected>(), Exchange<SensorAtRisk>());

    static readonly string HeartbeatsMessage = Exchange<HeartbeatsReceived>();
    const string HeartbeatsQueue = QueueNames.Heartbeats;

    /// <summary>Publishes registry and status events; consumes heartbeats and its snapshots.</summary>
    public static readonly BrokerUser MonitorWorkerBroker = WorkerUser();

    /// <summary>Sends heartbeats to their queue; consumes registry events. Writes no event of anyone else's.</summary>
    public static readonly BrokerUser IngestionBroker = new("sensors-ingestion",
        // The send endpoint declares the heartbeats exchange and queue; the consumer declares the registry exchanges.
        // MQTT: it declares the devices' queue and binds it to amq.topic, reads it, and writes devices' errors there.
        Configure: Only(RegistryEvents, HeartbeatsQueue, MqttQueue, AllFaults, FaultsOf(RegistryEvents), Endpoints("registry-events" + PerInstance, Temporary)),
        Write: Only(HeartbeatsQueue, MqttQueue, MqttExchange, AllFaults, FaultsOf(RegistryEvents), Endpoints("registry-events" + PerInstance, Temporary)),
        // Binding the heartbeats exchange to its queue needs read on the exchange, which has the queue's name.
        Read: Only(RegistryEvents, HeartbeatsQueue, MqttQueue, MqttExchange, FaultsOf(RegistryEvents), Endpoints("registry-events" + PerInstance, Temporary)));

    const string MqttQueue = QueueNames.MqttHeartbeats;
    const string MqttExchange = @"amq\.topic";

    /// <summary>An Admin ended a user's access: every gateway instance closes that user's sessions and WebSockets.</summary>
    static readonly string OperatorEvents = Exchange<OperatorAccessRevoked>();

    /// <summary>
    /// Consumes status events and, while someone follows a sensor, a copy of the heartbeats; publishes and consumes
    /// only the operators' revocations. Writes no event of anyone else's.
    /// </summary>
    public static readonly BrokerUser GatewayBroker = GatewayUser();

    /// <summary>Consumes status events (webhooks, alert rules); publishes nothing.</summary>
    public static readonly BrokerUser AlertingBroker = AlertingUser();

    public static readonly IReadOnlyList<BrokerUser> BrokerUsers = [MonitorWorkerBroker, IngestionBroker, GatewayBroker, AlertingBroker];

    static BrokerUser AlertingUser()
    {
        var endpoints = Endpoints("webhooks", "webhooks-at-risk", "alerts", Temporary);
        var faults = FaultsOf(StatusEvents);
        return new("sensors-alerting",
            Configure: Only(StatusEvents, AllFaults, faults, endpoints),
            Write: Only(AllFaults, faults, endpoints),
            Read: Only(StatusEvents, faults, endpoints));
    }

    static BrokerUser GatewayUser()
    {
        var endpoints = Endpoints("status-events" + PerInstance, "operator-access-revoked" + PerInstance, Temporary);
        var faults = FaultsOf(StatusEvents, HeartbeatsMessage, OperatorEvents);
        return new("sensors-gateway",
            Configure: Only(StatusEvents, OperatorEvents, HeartbeatsQueue, AllFaults, faults, endpoints),
            Write: Only(OperatorEvents, AllFaults, faults, endpoints),
            Read: Only(StatusEvents, OperatorEvents, HeartbeatsQueue, faults, endpoints));
    }

    static BrokerUser WorkerUser()
    {
        var endpoints = Endpoints(HeartbeatsQueue, "sensor-status-snapshot" + PerInstance, Temporary);
        var faults = FaultsOf(StatusEvents, HeartbeatsMessage);
        return new("sensors-worker",
            Configure: Only(RegistryEvents, StatusEvents, HeartbeatsMessage, AllFaults, faults, endpoints),
            Write: Only(RegistryEvents, StatusEvents, AllFaults, faults, endpoints),
            Read: Only(StatusEvents, HeartbeatsMessage, faults, endpoints));
    }

    /// <summary>
    /// RabbitMQ definitions (the format of <c>load_definitions</c> and <c>POST /api/definitions</c>): the default
    /// virtual host, the administrator with every right, and each service's user with its own.
    /// </summary>
    public static string BrokerDefinitions(string adminUser, string adminPassword, IReadOnlyDictionary<BrokerUser, string> passwords)
    {
        var users = new JsonArray(new JsonObject { ["name"] = adminUser, ["password"] = adminPassword, ["tags"] = "administrator" });
        var permissions = new JsonArray(new JsonObject
        {
            ["user"] = adminUser, ["vhost"] = "/", ["configure"] = ".*", ["write"] = ".*", ["read"] = ".*",
        });
        foreach (var user in BrokerUsers)
        {
            users.Add(new JsonObject { ["name"] = user.Name, ["password"] = passwords[user], ["tags"] = "" });
            permissions.Add(new JsonObject
            {
                ["user"] = user.Name, ["vhost"] = "/", ["configure"] = user.Configure, ["write"] = user.Write, ["read"] = user.Read,
            });
        }
        var definitions = new JsonObject
        {
            ["vhosts"] = new JsonArray(new JsonObject { ["name"] = "/" }),
            ["users"] = users,
            ["permissions"] = permissions,
        };
        return definitions.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    /// <summary>
    /// Creates (or brings up to date) each service's role, connected as the administrator to the application database:
    /// the role owns its schema and everything in it (objects an older version created as the administrator are handed
    /// over), may connect to this database only, and has no right on any other schema. Idempotent.
    /// </summary>
    public static async Task ProvisionDatabaseAsync(string adminConnectionString, IReadOnlyDictionary<DatabaseRole, string> passwords, CancellationToken cancellationToken)
    {
        // A connection of its own: a pooled one may have been ended by a server restart since the last provisioning.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(adminConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        async Task ExecuteAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // Nobody but the administrator and the services' roles may connect, and they to this database only (PUBLIC,
        // which every role is in, may connect to any database by default); nobody else may use `public`.
        await ExecuteAsync("""
            DO $$
            DECLARE
                name text;
            BEGIN
                FOR name IN SELECT datname FROM pg_database WHERE datallowconn LOOP
                    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', name);
                END LOOP;
            END $$
            """);
        await ExecuteAsync("REVOKE ALL ON SCHEMA public FROM PUBLIC");
        foreach (var login in DatabaseRoles)
        {
            var role = Name(login.Role);
            var schema = Name(login.Schema);
            await ExecuteAsync($"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {role}; END IF; END $$");
            // ALTER ROLE takes no parameters: format() quotes the password on the server.
            await using (var quote = new NpgsqlCommand($"SELECT format('ALTER ROLE {role} WITH LOGIN NOSUPERUSER NOCREATEDB " +
                "NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS PASSWORD %L', $1)", connection, transaction))
            {
                quote.Parameters.Add(new NpgsqlParameter { Value = passwords[login] });
                await ExecuteAsync((string)(await quote.ExecuteScalarAsync(cancellationToken))!);
            }
            await ExecuteAsync($"DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO {role}', current_database()); END $$");
            await ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {schema}");
            // PostgreSQL 15's public schema belongs to pg_database_owner: grant on it instead of handing it over.
            await ExecuteAsync(schema == "public" ? $"GRANT USAGE, CREATE ON SCHEMA public TO {role}" : $"ALTER SCHEMA {schema} OWNER TO {role}");
            // Tables, partitions, views and free-standing sequences (an identity column's sequence follows its table),
            // then functions: everything in the schema but an extension's becomes the role's, so its migrations can
            // alter what an older version created as the administrator.
            await ExecuteAsync($$"""
                DO $$
                DECLARE
                    item record;
                BEGIN
                    FOR item IN
                        SELECT c.oid::regclass AS name,
                               CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind
                        FROM pg_class c
                        WHERE c.relnamespace = '{{schema}}'::regnamespace
                          AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
                          AND c.relowner <> '{{role}}'::regrole
                          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                          AND (d.deptype = 'e' OR (c.relkind = 'S' AND d.deptype IN ('a', 'i'))))
                    LOOP
                        EXECUTE format('ALTER %s %s OWNER TO {{role}}', item.kind, item.name);
                    END LOOP;
                    FOR item IN
                        SELECT p.oid::regprocedure AS name FROM pg_proc p
                        WHERE p.pronamespace = '{{schema}}'::regnamespace AND p.proowner <> '{{role}}'::regrole
                          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
                    LOOP
                        EXECUTE format('ALTER ROUTINE %s OWNER TO {{role}}', item.name);
                    END LOOP;
                END $$
                """);
        }
        // Webhooks moved from the worker's schema to the alerting service's: an older database's table goes with them.
        await ExecuteAsync($"""
            DO $$
            BEGIN
                IF to_regclass('public.webhooks') IS NOT NULL AND to_regclass('{AlertingDatabase.Schema}.webhooks') IS NULL THEN
                    ALTER TABLE public.webhooks SET SCHEMA {AlertingDatabase.Schema};
                    ALTER TABLE {AlertingDatabase.Schema}.webhooks OWNER TO {AlertingDatabase.Role};
                END IF;
            END $$
            """);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>One of this class's own role or schema names, checked to need no quoting in SQL.</summary>
    static string Name(string name) => name.Length > 0 && name.All(c => char.IsAsciiLetterLower(c) || c == '_')
        ? name
        : throw new ArgumentException($"'{name}' is not a plain lower-case name.", nameof(name));
}
