using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Sensors360.AppHost.Infrastructure;
using Sensors360.Contracts;
using Sensors360.Messaging;

namespace Sensors360.IntegrationTests;

/// <summary>
/// The started system's PostgreSQL and RabbitMQ: reachable from this machine only, and each service signed in as
/// itself with only the rights it needs (<see cref="ServiceAccess"/>).
/// </summary>
[Collection(SensorsAppCollection.Name)]
public sealed class InfrastructureIsolationTests(SensorsAppFixture fixture)
{
    DistributedApplication App => fixture.App;

    [Fact]
    public void PostgreSQL_RabbitMQ_and_epmd_listen_on_the_loopback_interface_only()
    {
        var endpoints = new[]
        {
            ("postgres", LocalPostgresResource.EndpointName),
            ("messaging", LocalRabbitMqResource.AmqpEndpointName),
            ("messaging", LocalRabbitMqResource.ManagementEndpointName),
            ("messaging", "dist"),
            ("messaging", "epmd"),
        };
        var listeners = ListeningSockets();

        foreach (var (resource, endpoint) in endpoints)
        {
            var port = App.GetEndpoint(resource, endpoint).Port;
            var addresses = listeners.Where(l => l.Port == port).Select(l => l.Address).ToList();
            Assert.True(addresses.Count > 0, $"nothing listens on {resource}/{endpoint} (port {port})");
            Assert.True(addresses.All(IsLoopback),
                $"{resource}/{endpoint} (port {port}) listens on {string.Join(", ", addresses)}, not on loopback only");
        }
    }

    [Fact]
    public async Task Each_service_is_signed_in_to_PostgreSQL_and_RabbitMQ_as_its_own_user()
    {
        // A service's idle connections are closed after five minutes, and the gateway uses its database only for
        // sign-ins: sign in first, then wait for every service's session to show.
        await Gateway.AdminTokenAsync(App);
        await using var db = NpgsqlDataSource.Create((await App.GetConnectionStringAsync("sensorsdb"))!);
        string[] expectedUsers = ["sensors_alerting", "sensors_gateway", "sensors_worker"];
        var databaseUsers = new List<string>();
        Assert.True(await Poll.UntilAsync(async () =>
        {
            databaseUsers.Clear();
            await using var sessions = db.CreateCommand(
                "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = 'sensorsdb' AND usename <> current_user ORDER BY 1");
            await using var reader = await sessions.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                databaseUsers.Add(reader.GetString(0));
            }
            return expectedUsers.All(databaseUsers.Contains);
        }, TimeSpan.FromSeconds(15)), $"not every service is signed in to PostgreSQL: {string.Join(", ", databaseUsers)}");
        Assert.Equal(expectedUsers, databaseUsers);

        var expected = new Dictionary<string, string>
        {
            ["Monitor.Worker"] = ServiceAccess.MonitorWorkerBroker.Name,
            ["Ingestion.Api"] = ServiceAccess.IngestionBroker.Name,
            ["Realtime.Gateway"] = ServiceAccess.GatewayBroker.Name,
            ["Alerting.Service"] = ServiceAccess.AlertingBroker.Name,
        };
        using var management = await App.CreateManagementClientAsync();
        var brokerUsers = new List<(string Service, string User)>();
        Assert.True(await Poll.UntilAsync(async () =>
        {
            brokerUsers.Clear();
            foreach (var connection in (await management.GetFromJsonAsync<JsonElement>("/api/connections")).EnumerateArray())
            {
                // MassTransit and the backlog probe name their connections after the service's assembly.
                if (connection.GetProperty("client_properties").TryGetProperty("connection_name", out var name)
                    && name.GetString()!.Split(' ')[0] is var service && expected.ContainsKey(service))
                {
                    brokerUsers.Add((service, connection.GetProperty("user").GetString()!));
                }
            }
            return expected.Keys.All(s => brokerUsers.Any(c => c.Service == s));
        }, TimeSpan.FromSeconds(10)), $"not every service is connected: {string.Join(", ", brokerUsers)}");
        Assert.All(brokerUsers, c => Assert.Equal(expected[c.Service], c.User));
    }

    [Fact]
    public async Task The_gateways_database_login_cannot_write_heartbeats_and_the_workers_cannot_read_the_gateways_users()
    {
        var gatewayLogin = (await App.GetConnectionStringAsync(ServiceAccess.GatewayDatabase.ResourceName))!;
        await using var gateway = NpgsqlDataSource.Create(gatewayLogin);
        await using var worker = NpgsqlDataSource.Create((await App.GetConnectionStringAsync(ServiceAccess.MonitorWorkerDatabase.ResourceName))!);

        // Each can use its own tables.
        Assert.True(await ScalarAsync<long>(gateway, "SELECT count(*) FROM identity.users") >= 1);
        Assert.True(await ScalarAsync<long>(worker, "SELECT count(*) FROM public.sensors") >= 0);

        var insert = await RefusalAsync(gateway,
            "INSERT INTO public.heartbeats (sensor_id, sensor_time, received_at) SELECT id, now(), now() FROM public.sensors LIMIT 1");
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, insert.SqlState);
        var read = await RefusalAsync(gateway, "SELECT count(*) FROM public.sensors");
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, read.SqlState);
        var users = await RefusalAsync(worker, "SELECT count(*) FROM identity.users");
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, users.SqlState);

        // Neither may open another database of the server.
        var otherDatabase = new NpgsqlConnectionStringBuilder(gatewayLogin) { Database = "postgres" };
        await using var elsewhere = new NpgsqlConnection(otherDatabase.ConnectionString);
        var connect = await Assert.ThrowsAsync<PostgresException>(() => elsewhere.OpenAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, connect.SqlState);
    }

    [Fact]
    public async Task The_alerting_services_login_cannot_read_the_monitors_data_and_the_workers_cannot_read_webhook_secrets()
    {
        await using var alerting = NpgsqlDataSource.Create((await App.GetConnectionStringAsync(ServiceAccess.AlertingDatabase.ResourceName))!);
        await using var worker = NpgsqlDataSource.Create((await App.GetConnectionStringAsync(ServiceAccess.MonitorWorkerDatabase.ResourceName))!);

        Assert.True(await ScalarAsync<long>(alerting, "SELECT count(*) FROM alerting.webhooks") >= 0);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await RefusalAsync(alerting, "SELECT count(*) FROM public.sensors")).SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await RefusalAsync(alerting, "SELECT count(*) FROM identity.users")).SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await RefusalAsync(worker, "SELECT secret FROM alerting.webhooks")).SqlState);
    }

    [Fact]
    public void The_ingestion_API_is_given_no_database_connection_string_only_its_own_broker_login()
    {
        Assert.True(App.ResourceNotifications.TryGetCurrentState("ingestion-api", out var state), "ingestion-api has no state");
        var environment = state!.Snapshot.EnvironmentVariables.ToDictionary(v => v.Name, v => v.Value);

        var connectionStrings = environment.Keys.Where(n => n.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).ToList();
        Assert.Equal(["ConnectionStrings__messaging"], connectionStrings);
        Assert.Equal(ServiceAccess.IngestionBroker.Name, BrokerAddress.Parse(environment["ConnectionStrings__messaging"]).UserName);
        Assert.DoesNotContain(environment.Values, v => v?.Contains("Username=", StringComparison.OrdinalIgnoreCase) == true);
    }

    [Fact]
    public async Task A_registry_event_is_accepted_on_the_bus_only_from_the_monitor_workers_user()
    {
        await using var api = new SensorsApi(App);
        var (sensorId, key) = await api.RegisterAsync(SensorsApi.UniqueTag("forgery"));
        await api.WaitUntilKeyAcceptedAsync(sensorId, key);

        // Everything published to the registry exchanges lands here too.
        await using var admin = await ConnectAsync("messaging");
        await using var probeChannel = await admin.CreateChannelAsync();
        var probe = (await probeChannel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await probeChannel.QueueBindAsync(probe, RegistryExchange<SensorKeyRotated>(), "");
        await probeChannel.QueueBindAsync(probe, RegistryExchange<SensorRetired>(), "");

        // A stolen ingestion API or gateway login would rotate the sensor's key to one of the thief's choosing.
        var forgedKey = ApiKeys.NewSensorKey();
        var forgery = new SensorKeyRotated(sensorId, ApiKeys.Hash(forgedKey), DateTimeOffset.UtcNow);
        foreach (var login in new[] { ServiceAccess.IngestionBroker, ServiceAccess.GatewayBroker })
        {
            var refusal = await PublishAsync(login.ResourceName, forgery);
            Assert.True(refusal is { ReplyCode: 403 }, $"{login.Name} could publish a registry event: {refusal}");
            Assert.Contains("ACCESS_REFUSED", refusal!.ReplyText, StringComparison.Ordinal);
            Assert.Contains(RegistryExchange<SensorKeyRotated>(), refusal.ReplyText, StringComparison.Ordinal);
        }

        // The worker's login may: a retirement of a sensor that does not exist changes nothing anywhere.
        var nobody = new SensorRetired(-Random.Shared.NextInt64(1, long.MaxValue), DateTimeOffset.UtcNow);
        Assert.Null(await PublishAsync(ServiceAccess.MonitorWorkerBroker.ResourceName, nobody));
        BasicGetResult? delivered = null;
        Assert.True(await Poll.UntilAsync(async () => (delivered = await probeChannel.BasicGetAsync(probe, autoAck: true)) is not null,
            TimeSpan.FromSeconds(10)), "the worker's registry event never reached the exchange's queues");
        Assert.Contains(nobody.SensorId.ToString(CultureInfo.InvariantCulture), Encoding.UTF8.GetString(delivered!.Body.Span));
        Assert.Null(await probeChannel.BasicGetAsync(probe, autoAck: true));   // the forgeries never got there

        // And the ingestion API never heard of them: once a later registration is known, the forged key is still unknown.
        var (laterId, laterKey) = await api.RegisterAsync(SensorsApi.UniqueTag("after-forgery"));
        await api.WaitUntilKeyAcceptedAsync(laterId, laterKey);
        using var forged = await api.PostHeartbeatsAsync(forgedKey, SensorsApi.Heartbeat(sensorId, SensorsApi.RecentTime()));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        using var genuine = await api.PostHeartbeatsAsync(key, SensorsApi.Heartbeat(sensorId, SensorsApi.RecentTime()));
        Assert.Equal(HttpStatusCode.Accepted, genuine.StatusCode);
    }

    static string RegistryExchange<T>() => $"{typeof(T).Namespace}:{typeof(T).Name}";

    async Task<IConnection> ConnectAsync(string connectionName)
    {
        return await (await App.BrokerAsync(connectionName)).ConnectAsync(factory =>
        {
            factory.ClientProvidedName = $"{nameof(InfrastructureIsolationTests)} as {connectionName}";
            factory.AutomaticRecoveryEnabled = false;
        });
    }

    /// <summary>
    /// Publishes <paramref name="message"/> to its exchange as MassTransit would, signed in with the login of
    /// <paramref name="connectionName"/>, and waits for the broker's confirmation.
    /// </summary>
    /// <returns>Null when the broker confirmed it; else why the broker closed the channel.</returns>
    async Task<ShutdownEventArgs?> PublishAsync<T>(string connectionName, T message) where T : class
    {
        await using var connection = await ConnectAsync(connectionName);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var envelope = JsonSerializer.SerializeToUtf8Bytes(new
        {
            messageId = Guid.NewGuid(),
            messageType = new[] { $"urn:message:{RegistryExchange<T>()}" },
            message,
            sentTime = DateTimeOffset.UtcNow,
        }, JsonSerializerOptions.Web);
        var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", Persistent = true, MessageId = Guid.NewGuid().ToString() };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await channel.BasicPublishAsync(RegistryExchange<T>(), "", mandatory: false, properties, envelope, timeout.Token);
            return null;
        }
        catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException or PublishException)
        {
            // The broker refuses a publish by closing the channel; its reason is the answer.
            Assert.True(await Poll.UntilAsync(() => Task.FromResult(channel.CloseReason is not null), TimeSpan.FromSeconds(5)), e.ToString());
            return channel.CloseReason;
        }
    }

    static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Runs <paramref name="sql"/> in a transaction that is rolled back whatever happens, expecting a refusal.</summary>
    static async Task<PostgresException> RefusalAsync(NpgsqlDataSource db, string sql)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
    }

    sealed record Listener(IPAddress Address, int Port);

    /// <summary>Every listening TCP socket of this machine's network namespace, from /proc/net/tcp and tcp6.</summary>
    static List<Listener> ListeningSockets()
    {
        var result = new List<Listener>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields[3] != "0A")   // TCP_LISTEN
                {
                    continue;
                }
                var (hexAddress, hexPort) = (fields[1][..fields[1].IndexOf(':')], fields[1][(fields[1].IndexOf(':') + 1)..]);
                // The address is stored as 32-bit words in host (little-endian) order.
                var bytes = Convert.FromHexString(hexAddress);
                for (var word = 0; word < bytes.Length; word += 4)
                {
                    Array.Reverse(bytes, word, 4);
                }
                result.Add(new Listener(new IPAddress(bytes), int.Parse(hexPort, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }
        }
        return result;
    }

    static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}
