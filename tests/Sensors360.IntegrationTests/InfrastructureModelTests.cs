using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Sensors360.AppHost.Infrastructure;

namespace Sensors360.IntegrationTests;

/// <summary>How the AppHost wires each infrastructure mode. Runs the AppHost's Program up to Build(); starts nothing.</summary>
public sealed class InfrastructureModelTests
{
    static Task<IDistributedApplicationTestingBuilder> BuildAsync(params string[] args) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.Sensors360_AppHost>(args);

    static IResource Resource(IDistributedApplicationTestingBuilder model, string name) =>
        model.Resources.Single(r => r.Name == name);

    [Fact]
    public async Task Containers_mode_uses_the_standard_Aspire_integrations_under_the_same_names()
    {
        await using var model = await BuildAsync("--Infrastructure:Mode=containers");

        Assert.IsType<PostgresServerResource>(Resource(model, "postgres"));
        Assert.Equal("sensorsdb", Assert.IsType<PostgresDatabaseResource>(Resource(model, "sensorsdb")).DatabaseName);
        var rabbit = Assert.IsType<RabbitMQServerResource>(Resource(model, "messaging"));
        Assert.True(rabbit.TryGetContainerImageName(out var image));
        Assert.Contains("management", image);
        Assert.Empty(model.Resources.OfType<LocalPostgresResource>());
    }

    [Theory]
    [InlineData("containers")]
    [InlineData("local")]
    public async Task With_a_certificate_the_broker_also_listens_for_MQTT_over_TLS_with_it(string mode)
    {
        var directory = Directory.CreateTempSubdirectory("sensors360-mqtt-tls-");
        try
        {
            var (certificate, pfx, password) = TestCertificate.Create(directory.FullName);
            using var _ = certificate;
            await using var model = await BuildAsync($"--Infrastructure:Mode={mode}", $"--Tls:CertificatePath={pfx}",
                $"--Tls:CertificatePassword={password}", "--Ports:MqttTls=18883");

            var rabbit = (IResourceWithEnvironment)Resource(model, "messaging");
            var endpoint = rabbit.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == MqttExtensions.TlsEndpointName);
            Assert.Equal(18883, endpoint.Port);
            var environment = await EnvironmentAsync(rabbit);
            if (mode == "containers")
            {
                Assert.Equal(8883, endpoint.TargetPort);
                var conf = environment["RABBITMQ_MQTT_CONF"];
                Assert.Contains("mqtt.listeners.ssl.default = 8883", conf);
                Assert.Contains("ssl_options.certfile = /etc/rabbitmq/tls/cert.pem", conf);
                Assert.Contains("ssl_options.keyfile = /etc/rabbitmq/tls/key.pem", conf);
                var files = Assert.Single(rabbit.Annotations.OfType<ContainerFileSystemCallbackAnnotation>(), a => a.DestinationPath == "/etc/rabbitmq/tls");
                Assert.Equal(999, files.DefaultOwner); // the image's rabbitmq user, which must read the key
            }
            else
            {
                Assert.Contains("mqtt.listeners.ssl.default = ", environment["RABBITMQ_EXTRA_CONF"]);
                // The PFX, converted: the certificate as PEM, and the key kept out of sight as a secret parameter.
                Assert.Contains(certificate.ExportCertificatePem(), environment["RABBITMQ_TLS_CERT"]);
                Assert.True(Assert.IsType<ParameterResource>(Resource(model, "mqtt-tls-key")).Secret);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_PEM_certificate_and_key_are_passed_to_the_broker_as_they_are()
    {
        var directory = Directory.CreateTempSubdirectory("sensors360-mqtt-pem-");
        try
        {
            using var withKey = TestCertificate.SelfSigned();
            var certificatePath = Path.Combine(directory.FullName, "cert.pem");
            var keyPath = Path.Combine(directory.FullName, "key.pem");
            await File.WriteAllTextAsync(certificatePath, withKey.ExportCertificatePem());
            await File.WriteAllTextAsync(keyPath, withKey.GetRSAPrivateKey()!.ExportRSAPrivateKeyPem());

            var converted = MqttTlsCertificate.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Tls:CertificatePath"] = certificatePath,
                ["Tls:KeyPath"] = keyPath,
            }).Build())!;

            Assert.Equal(withKey.ExportCertificatePem() + "\n", converted.ChainPem);
            using var again = X509Certificate2.CreateFromPem(converted.ChainPem, converted.KeyPem);
            Assert.True(again.HasPrivateKey);
            Assert.Equal(withKey.Thumbprint, again.Thumbprint);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Local_mode_runs_the_machine_servers_through_the_eng_wrapper_scripts()
    {
        await using var model = await BuildAsync("--Infrastructure:Mode=local");

        var postgres = Assert.IsType<LocalPostgresResource>(Resource(model, "postgres"));
        var database = Assert.IsType<LocalPostgresDatabaseResource>(Resource(model, "sensorsdb"));
        var rabbit = Assert.IsType<LocalRabbitMqResource>(Resource(model, "messaging"));
        Assert.Same(postgres, database.Parent);
        foreach (var script in new[] { postgres.Command, rabbit.Command })
        {
            Assert.EndsWith(".sh", script);
            Assert.True(File.Exists(script), $"{script} is missing");
            Assert.True(File.GetUnixFileMode(script).HasFlag(UnixFileMode.UserExecute), $"{script} is not executable");
        }
        Assert.Empty(model.Resources.OfType<ContainerResource>());
    }

    [Fact]
    public async Task Local_mode_keeps_data_under_the_configured_directory()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"sensors360-model-{Guid.NewGuid():N}");
        await using var model = await BuildAsync("--Infrastructure:Mode=local", $"--Infrastructure:DataDirectory={dataDirectory}");

        Assert.Equal(Path.Combine(dataDirectory, "postgres"), model.Resources.OfType<LocalPostgresResource>().Single().DataDirectory);
        Assert.Equal(Path.Combine(dataDirectory, "rabbitmq"), model.Resources.OfType<LocalRabbitMqResource>().Single().DataDirectory);
    }

    [Fact]
    public async Task Only_a_primary_with_kept_data_archives_WAL_for_backups()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"sensors360-model-{Guid.NewGuid():N}");
        await using (var kept = await BuildAsync("--Infrastructure:Mode=local", "--Topology:Mode=ha", $"--Infrastructure:DataDirectory={dataDirectory}"))
        {
            Assert.Equal("1", (await EnvironmentAsync(Resource(kept, "postgres")))["WAL_ARCHIVE"]);
            Assert.False((await EnvironmentAsync(Resource(kept, "postgres-standby"))).ContainsKey("WAL_ARCHIVE"));
        }
        await using var throwaway = await BuildAsync("--Infrastructure:Mode=local");
        Assert.Equal("0", (await EnvironmentAsync(Resource(throwaway, "postgres")))["WAL_ARCHIVE"]);
    }

    [Fact]
    public async Task Containers_mode_runs_PostgreSQL_from_the_pgBackRest_image_built_on_the_standby_image()
    {
        await using var model = await BuildAsync("--Infrastructure:Mode=containers", "--Topology:Mode=ha");

        var primary = Resource(model, "postgres");
        var build = Assert.Single(primary.Annotations.OfType<DockerfileBuildAnnotation>());
        Assert.Equal(Path.Combine(Repository.Root, "deploy", "containers", "postgres"), build.ContextPath);
        Assert.Contains(primary.Annotations.OfType<ContainerMountAnnotation>(),
            m => m.Type == ContainerMountType.Volume && m.Target == ContainerBackupExtensions.BackupVolumeTarget);

        // The standby streams from the primary, so both must run one PostgreSQL version: the one the image is built on,
        // which is also the Dockerfile's default (eng/restore.sh and builds by hand use it).
        var stock = Resource(model, "postgres-standby").Annotations.OfType<ContainerImageAnnotation>().Last();
        var baseImage = $"{stock.Registry}/{stock.Image}:{stock.Tag}";
        Assert.Equal("library/postgres", stock.Image);
        Assert.Equal(baseImage, build.BuildArguments["BASE_IMAGE"]);
        Assert.Contains($"ARG BASE_IMAGE={baseImage}\n",
            File.ReadAllText(Path.Combine(build.ContextPath, "Dockerfile")).Replace("\r", ""));
    }

    [Theory]
    [InlineData("local")]
    [InlineData("containers")]
    public async Task Each_service_references_only_its_own_logins_and_the_ingestion_API_no_database(string mode)
    {
        await using var model = await BuildAsync($"--Infrastructure:Mode={mode}");

        string[] References(string name) => [.. Resource(model, name).Annotations.OfType<ResourceRelationshipAnnotation>()
            .Where(r => r.Type == "Reference").Select(r => r.Resource.Name)];
        Assert.Contains("sensorsdb-worker", References("monitor-worker"));
        Assert.Contains("messaging-worker", References("monitor-worker"));
        Assert.Contains("sensorsdb-gateway", References("realtime-gateway"));
        Assert.Contains("messaging-gateway", References("realtime-gateway"));
        Assert.Contains("messaging-ingestion", References("ingestion-api"));
        Assert.Contains("sensorsdb-alerting", References("alerting-service"));
        Assert.Contains("messaging-alerting", References("alerting-service"));
        Assert.DoesNotContain(References("ingestion-api"), r => r.StartsWith("sensorsdb", StringComparison.Ordinal) || r == "postgres");
        foreach (var service in new[] { "monitor-worker", "ingestion-api", "alerting-service", "realtime-gateway", "dashboard-web" })
        {
            // The administrators' connection strings stay with the AppHost and the tests. (Ingestion.Api does refer to
            // the broker nodes: their management address, where it closes MQTT devices' connections as the device.)
            var environment = await EnvironmentAsync(Resource(model, service));
            foreach (var administrators in new[] { "sensorsdb", "messaging", "postgres" })
            {
                Assert.DoesNotContain(environment, e => e.Value.Contains($"{{{administrators}.connectionString}}", StringComparison.Ordinal));
            }
            Assert.DoesNotContain("sensorsdb", References(service));
        }
    }

    [Fact]
    public async Task Configured_ports_pin_the_public_endpoints()
    {
        await using var model = await BuildAsync("--Infrastructure:Mode=local", "--Ports:Gateway=18080", "--Ports:Ingestion=18081");

        int? HttpPort(string name) => Resource(model, name).Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http").Port;
        Assert.Equal(18080, HttpPort("realtime-gateway"));
        Assert.Equal(18081, HttpPort("ingestion-api"));
    }

    [Fact]
    public async Task An_unknown_mode_is_refused_with_the_allowed_values()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => BuildAsync("--Infrastructure:Mode=kubernetes"));

        var messages = string.Join(" | ", Flatten(error).Select(e => e.Message));
        Assert.Contains("auto, containers, local", messages);
    }

    /// <summary>A resource's environment as it would be published (endpoints as placeholders).</summary>
    static async Task<Dictionary<string, string>> EnvironmentAsync(IResource resource) =>
        (await ExecutionConfigurationBuilder.Create(resource).WithEnvironmentVariablesConfig().BuildAsync(
            new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish), NullLogger.Instance, CancellationToken.None))
        .EnvironmentVariables.ToDictionary();

    static IEnumerable<Exception> Flatten(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    [Fact]
    public async Task The_demo_simulator_runs_by_default_against_both_apis_and_can_be_switched_off()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"sensors360-model-{Guid.NewGuid():N}");
        await using (var model = await BuildAsync("--Infrastructure:Mode=local", $"--Infrastructure:DataDirectory={dataDirectory}"))
        {
            var simulator = Assert.IsType<ProjectResource>(Resource(model, "simulator"));
            var waits = simulator.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).ToArray();
            Assert.Contains("monitor-worker", waits);
            Assert.Contains("ingestion-api", waits);
            var references = simulator.Annotations.OfType<ResourceRelationshipAnnotation>().Select(r => r.Resource.Name).ToArray();
            Assert.Contains("monitor-worker", references);
            Assert.Contains("ingestion-api", references);
        }

        await using var off = await BuildAsync("--Infrastructure:Mode=local", "--Simulator:Enabled=false");
        Assert.DoesNotContain(off.Resources, r => r.Name == "simulator");
    }
}
