using System.Text;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Sensors360.AppHost;
using Sensors360.AppHost.Infrastructure;
using Sensors360.Contracts;
using YamlDotNet.Core;
using ServiceDefaults = Microsoft.Extensions.Hosting.Extensions;

namespace Sensors360.DeploymentTests;

/// <summary>
/// deploy/kubernetes, each overlay rendered by kubectl kustomize and every object loaded strictly into its typed model
/// (<see cref="KubernetesManifests"/>), checked against the AppHost's own model: the same services, variables, logins and
/// rights. Nothing is applied: there is no cluster here.
/// </summary>
public sealed class KubernetesManifestTests
{
    public static TheoryData<string> Overlays => [.. KubernetesManifests.Overlays];

    /// <summary>Only there to be put into a connection string with $(...): one home per password (docs/deployment.md).</summary>
    static readonly string[] PasswordHelpers = ["SENSORS360_DB_PASSWORD", "SENSORS360_BROKER_PASSWORD"];

    /// <summary>Settings a container needs that the AppHost has no use for, per service.</summary>
    static readonly Dictionary<string, string[]> KubernetesOnly = new()
    {
        // Behind the Ingress, the proxies whose X-Forwarded-For/-Proto the gateway believes.
        ["realtime-gateway"] = ["Gateway__ForwardedHeaders__KnownNetworks__0"],
        // The mail server (Alerting:Smtp), from the secret the operator fills in; the AppHost passes Alerting:* settings
        // only when given, so its model (built without them) has none.
        ["alerting-service"] = ["Alerting__Smtp__Host", "Alerting__Smtp__Port", "Alerting__Smtp__Security",
            "Alerting__Smtp__From", "Alerting__Smtp__UserName", "Alerting__Smtp__Password"],
    };

    /// <summary>RabbitMQ Cluster Operator v2.22.3 always enables these (its CRD: additionalPlugins is "in addition to" them).</summary>
    static readonly string[] EssentialBrokerPlugins = ["rabbitmq_management", "rabbitmq_prometheus", "rabbitmq_peer_discovery_k8s"];

    sealed record Rendered(IReadOnlyList<object> Objects)
    {
        public IEnumerable<T> All<T>() => Objects.OfType<T>();

        public T Named<T>(string name) where T : IKubernetesObject<V1ObjectMeta> =>
            Assert.Single(Objects.OfType<T>(), o => o.Metadata.Name == name);

        public V1Container Container(string deployment) =>
            Assert.Single(Named<V1Deployment>(deployment).Spec.Template.Spec.Containers);

        public static async Task<Rendered> OfAsync(string overlay) => new(await KubernetesManifests.LoadAsync(overlay));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_overlay_renders_and_every_object_loads_strictly_into_the_model_of_its_kind(string overlay)
    {
        var rendered = await Rendered.OfAsync(overlay);

        Assert.NotEmpty(rendered.Objects);
        Assert.All(rendered.Objects, o => Assert.Empty(OperatorResources.Violations(o)));
        Assert.All(rendered.Objects.OfType<IKubernetesObject<V1ObjectMeta>>(), o => Assert.Equal("sensors360", o.Metadata.NamespaceProperty));
        // Each operator resource is there, and nothing else of theirs.
        Assert.Equal(OperatorResources.Kinds.Values.Order(TypeName), rendered.Objects.Select(o => o.GetType()).Where(OperatorResources.Kinds.Values.Contains).Distinct().Order(TypeName));
    }

    static readonly Comparer<Type> TypeName = Comparer<Type>.Create((a, b) => string.CompareOrdinal(a.Name, b.Name));

    public static TheoryData<string, string, string> BrokenDocuments => new()
    {
        { "a misspelt Deployment field", "readinessProbe:", "readinesProbe:" },
        { "a misspelt field in a pod template", "automountServiceAccountToken: false", "automountServiceAccount: false" },
        { "a field the CloudNativePG Cluster does not have", "  instances: 1", "  instance: 1" },
        { "a field the RabbitmqCluster does not have", "additionalPlugins:", "extraPlugins:" },
        { "a misspelt field in the RabbitmqCluster's StatefulSet override", "subPath: 30-mqtt-sign-in.conf", "subpath: 30-mqtt-sign-in.conf" },
        { "a field the Permission does not have", "vhost: /", "virtualHost: /" },
        { "a field the ObjectStore does not have", "retentionPolicy: 30d", "retention: 30d" },
    };

    [Theory]
    [MemberData(nameof(BrokenDocuments))]
    public async Task An_unknown_field_fails_the_load(string what, string field, string unknown)
    {
        var yaml = await KubernetesManifests.RenderAsync("single");
        var broken = ReplaceFirst(yaml, field, unknown);

        Assert.True(yaml != broken, $"{what}: '{field}' is not in the render");
        var error = Assert.ThrowsAny<YamlException>(() => KubernetesManifests.Load(broken));
        Assert.Contains(unknown.Trim().Split(':')[0], error.ToString());
    }

    [Fact]
    public async Task An_unknown_kind_fails_the_load()
    {
        var yaml = await KubernetesManifests.RenderAsync("single") + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n";

        var error = Assert.Throws<InvalidOperationException>(() => KubernetesManifests.Load(yaml));
        Assert.Contains("example.com/v1/Widget", error.Message);
    }

    static string ReplaceFirst(string text, string value, string replacement)
    {
        var at = text.IndexOf(value, StringComparison.Ordinal);
        return at < 0 ? text : string.Concat(text.AsSpan(0, at), replacement, text.AsSpan(at + value.Length));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_service_of_the_AppHost_is_a_non_root_Deployment_of_its_image_with_requests_limits_and_probes(string overlay)
    {
        var rendered = await Rendered.OfAsync(overlay);
        var services = (await AppHostModel.OfTopologyAsync(overlay)).Services;

        Assert.Equal(services.Keys.Order(), rendered.All<V1Deployment>().Select(d => d.Metadata.Name).Order());
        foreach (var deployment in rendered.All<V1Deployment>())
        {
            var name = deployment.Metadata.Name;
            var pod = deployment.Spec.Template.Spec;
            var container = Assert.Single(pod.Containers);
            Assert.Matches($"^sensors360/{Regex.Escape(name)}(:[A-Za-z0-9_.-]+)?$", container.Image);
            // The image's user app (uid 1654), never root; nothing it can escalate to or write outside its volumes.
            Assert.True(pod.SecurityContext.RunAsNonRoot, $"{name}: runAsNonRoot");
            Assert.Equal(1654, pod.SecurityContext.RunAsUser);
            Assert.False(container.SecurityContext.AllowPrivilegeEscalation, $"{name}: allowPrivilegeEscalation");
            Assert.True(container.SecurityContext.ReadOnlyRootFilesystem, $"{name}: readOnlyRootFilesystem");
            Assert.Equal(new[] { "ALL" }, container.SecurityContext.Capabilities.Drop);
            Assert.Contains(container.VolumeMounts, m => m.MountPath == "/tmp");
            Assert.False(pod.AutomountServiceAccountToken, $"{name}: mounts a service account token it has no use for");
            Assert.True(container.Resources.Requests.ContainsKey("cpu") && container.Resources.Requests.ContainsKey("memory"), $"{name}: requests");
            Assert.True(container.Resources.Limits.ContainsKey("cpu") && container.Resources.Limits.ContainsKey("memory"), $"{name}: limits");
            Assert.Null(container.EnvFrom);

            if (name == "simulator")
            {
                // The demo fleet: off unless an operator scales it up; it listens on nothing.
                Assert.Equal(0, deployment.Spec.Replicas);
                Assert.Null(container.Ports);
                continue;
            }
            var port = Assert.Single(container.Ports);
            Assert.Equal(("http", 8080), (port.Name, port.ContainerPort));
            Assert.Equal((ServiceDefaults.HealthEndpointPath, "http"), (container.ReadinessProbe.HttpGet.Path, container.ReadinessProbe.HttpGet.Port.Value));
            Assert.Equal((ServiceDefaults.AlivenessEndpointPath, "http"), (container.LivenessProbe.HttpGet.Path, container.LivenessProbe.HttpGet.Port.Value));
            var service = rendered.Named<V1Service>(name);
            Assert.Equal(deployment.Spec.Selector.MatchLabels, service.Spec.Selector);
            Assert.Equal(("http", 8080), (Assert.Single(service.Spec.Ports).Name, service.Spec.Ports[0].Port));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Each_service_gets_the_variables_the_AppHost_gives_it_under_the_same_names(string overlay)
    {
        var rendered = await Rendered.OfAsync(overlay);
        var services = (await AppHostModel.OfTopologyAsync(overlay)).Services;

        foreach (var (name, apphost) in services)
        {
            var env = rendered.Container(name).Env;
            var names = env.Select(e => e.Name).ToList();
            Assert.Equal(names.Count, names.Distinct().Count());
            var extra = KubernetesOnly.GetValueOrDefault(name, []);
            Assert.Equal(apphost.ContainerVariables().Order(), names.Except(PasswordHelpers).Except(extra).Order());
            Assert.All(extra, e => Assert.Contains(e, names));

            for (var i = 0; i < env.Count; i++)
            {
                // $(NAME) is expanded only when NAME comes earlier in the list; a password helper is used, and only so.
                foreach (Match reference in Regex.Matches(env[i].Value ?? "", @"\$\(([^)]+)\)"))
                {
                    Assert.True(names.IndexOf(reference.Groups[1].Value) is var at && at >= 0 && at < i,
                        $"{name}: {env[i].Name} uses $({reference.Groups[1].Value}), which is not defined before it");
                }
                if (PasswordHelpers.Contains(env[i].Name))
                {
                    Assert.NotNull(env[i].ValueFrom?.SecretKeyRef);
                    Assert.Contains(env.Skip(i + 1), e => e.Value?.Contains($"$({env[i].Name})", StringComparison.Ordinal) == true);
                }
                // Every secret and setting read exists, with that key.
                if (env[i].ValueFrom?.SecretKeyRef is { } secret)
                {
                    Assert.True(rendered.Named<V1Secret>(secret.Name).Data.ContainsKey(secret.Key), $"{name}: secret {secret.Name} has no {secret.Key}");
                }
                if (env[i].ValueFrom?.ConfigMapKeyRef is { } setting)
                {
                    Assert.True(rendered.Named<V1ConfigMap>(setting.Name).Data.ContainsKey(setting.Key), $"{name}: {setting.Name} has no {setting.Key}");
                }
            }

            // Secrets where the AppHost has secret parameters; plain values where it has plain ones.
            foreach (var variable in env.Where(e => apphost.Environment.ContainsKey(e.Name)))
            {
                var published = apphost.Environment[variable.Name];
                var secretInAppHost = Regex.IsMatch(published, @"^\{(service-key-[a-z]+|admin-password)\.value\}$");
                Assert.True(secretInAppHost == (variable.ValueFrom?.SecretKeyRef is not null), $"{name}: {variable.Name} ({published})");
            }

            // Other services by name, at their Service's port, as Aspire's service discovery names them.
            foreach (var discovered in env.Where(e => e.Name.StartsWith("services__", StringComparison.Ordinal)))
            {
                var target = discovered.Name.Split("__")[1];
                Assert.Contains(target, apphost.References);
                Assert.Equal($"http://{target}:8080", discovered.Value);
                Assert.Contains(rendered.Named<V1Service>(target).Spec.Ports, p => p.Port == 8080);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Each_service_signs_in_to_PostgreSQL_and_RabbitMQ_as_the_login_the_AppHost_gives_it(string overlay)
    {
        var rendered = await Rendered.OfAsync(overlay);
        var services = (await AppHostModel.OfTopologyAsync(overlay)).Services;

        foreach (var (name, apphost) in services)
        {
            var env = rendered.Container(name).Env.ToDictionary(e => e.Name);
            var role = ServiceAccess.DatabaseRoles.SingleOrDefault(r => apphost.References.Contains(r.ResourceName));
            if (role is null)
            {
                Assert.DoesNotContain("SENSORS360_DB_PASSWORD", env.Keys);
            }
            else
            {
                // The secret is named after the AppHost's connection string (sensorsdb-worker), holds the role's name, and
                // is what the operator sets the role's password from.
                Assert.Equal(role.ResourceName, env["SENSORS360_DB_PASSWORD"].ValueFrom.SecretKeyRef.Name);
                Assert.Equal(role.Role, SecretText(rendered.Named<V1Secret>(role.ResourceName), "username"));
                foreach (var connection in env.Keys.Where(k => k.StartsWith($"ConnectionStrings__{InfrastructureExtensions.DatabaseName}", StringComparison.Ordinal)))
                {
                    Assert.Contains($"Username={role.Role};Password=$(SENSORS360_DB_PASSWORD);Database={InfrastructureExtensions.DatabaseName}", env[connection].Value);
                }
            }

            var user = ServiceAccess.BrokerUsers.SingleOrDefault(u => apphost.References.Contains(u.ResourceName));
            if (user is null)
            {
                Assert.DoesNotContain("SENSORS360_BROKER_PASSWORD", env.Keys);
            }
            else
            {
                Assert.Equal(user.ResourceName, env["SENSORS360_BROKER_PASSWORD"].ValueFrom.SecretKeyRef.Name);
                Assert.Equal(user.Name, SecretText(rendered.Named<V1Secret>(user.ResourceName), "username"));
                Assert.Equal($"amqp://{user.Name}:$(SENSORS360_BROKER_PASSWORD)@{InfrastructureExtensions.MessagingName}:5672",
                    env[$"ConnectionStrings__{InfrastructureExtensions.MessagingName}"].Value);
            }
        }
    }

    static string SecretText(V1Secret secret, string key) => Encoding.UTF8.GetString(secret.Data[key]);

    [Fact]
    public async Task The_database_has_each_services_login_its_schema_and_the_AppHosts_server_settings()
    {
        var rendered = await Rendered.OfAsync("single");
        var cluster = rendered.Named<CnpgCluster>(InfrastructureExtensions.PostgresName).Spec!;

        Assert.Equal(InfrastructureExtensions.DatabaseName, cluster.Bootstrap!.Initdb!.Database);
        Assert.False(cluster.EnableSuperuserAccess);
        var sql = cluster.Bootstrap.Initdb.PostInitApplicationSql!;
        Assert.Contains("REVOKE ALL ON SCHEMA public FROM PUBLIC", sql);
        var roles = cluster.Managed!.Roles!;
        foreach (var login in ServiceAccess.DatabaseRoles)
        {
            var role = Assert.Single(roles, r => r.Name == login.Role);
            Assert.Equal((true, false, login.ResourceName), (role.Login, role.Inherit, role.PasswordSecret?.Name));
            var secret = rendered.Named<V1Secret>(login.ResourceName);
            Assert.Equal("kubernetes.io/basic-auth", secret.Type);
            Assert.Equal("true", secret.Metadata.Labels["cnpg.io/reload"]);
            Assert.Contains($"CREATE ROLE {login.Role} NOLOGIN NOINHERIT", sql);
            Assert.Contains(sql, s => Regex.IsMatch(s, $@"^GRANT CONNECT ON DATABASE {InfrastructureExtensions.DatabaseName} TO .*\b{login.Role}\b"));
            Assert.Contains(login.Schema == "public"
                ? $"GRANT USAGE, CREATE ON SCHEMA public TO {login.Role}"
                : $"CREATE SCHEMA {login.Schema} AUTHORIZATION {login.Role}", sql);
        }
        // Nobody else signs in: the database's owner is a role without a login.
        var owner = Assert.Single(roles, r => r.Name == cluster.Bootstrap.Initdb.Owner);
        Assert.False(owner.Login);

        var apphostSettings = InfrastructureOptions.From(new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Repository.Root, "Sensors360.AppHost", "appsettings.json")).Build()).PostgresSettings;
        Assert.NotEmpty(apphostSettings);
        Assert.All(apphostSettings, s => Assert.Equal(s.Value, cluster.Postgresql!.Parameters![s.Key]));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Backups_and_the_WAL_archive_go_to_the_object_store_through_the_Barman_Cloud_plugin(string overlay)
    {
        var rendered = await Rendered.OfAsync(overlay);
        const string plugin = "barman-cloud.cloudnative-pg.io";

        var cluster = rendered.Named<CnpgCluster>(InfrastructureExtensions.PostgresName);
        var archiver = Assert.Single(cluster.Spec!.Plugins!, p => p.Name == plugin);
        Assert.True(archiver.IsWalArchiver);
        var store = rendered.Named<BarmanObjectStore>(archiver.Parameters!["barmanObjectName"]).Spec!.Configuration!;
        foreach (var credential in new[] { store.S3Credentials!.AccessKeyId!, store.S3Credentials.SecretAccessKey! })
        {
            Assert.True(rendered.Named<V1Secret>(credential.Name!).Data.ContainsKey(credential.Key!), $"{credential.Name} has no {credential.Key}");
        }
        var schedule = Assert.Single(rendered.All<CnpgScheduledBackup>()).Spec!;
        Assert.Equal((cluster.Metadata.Name, "plugin", plugin), (schedule.Cluster!.Name, schedule.Method, schedule.PluginConfiguration!.Name));
    }

    [Fact]
    public async Task The_broker_has_each_services_user_with_the_rights_the_AppHost_gives_it()
    {
        var rendered = await Rendered.OfAsync("single");
        var broker = rendered.Named<RabbitmqCluster>(InfrastructureExtensions.MessagingName);

        Assert.Equal(ServiceAccess.BrokerUsers.Select(u => u.Name).Order(), rendered.All<RabbitmqUser>().Select(u => u.Metadata.Name).Order());
        foreach (var login in ServiceAccess.BrokerUsers)
        {
            var user = rendered.Named<RabbitmqUser>(login.Name).Spec!;
            Assert.Equal((broker.Metadata.Name, login.ResourceName), (user.RabbitmqClusterReference!.Name, user.ImportCredentialsSecret!.Name));
            Assert.Equal(login.Name, SecretText(rendered.Named<V1Secret>(login.ResourceName), "username"));
            var permission = Assert.Single(rendered.All<RabbitmqPermission>(), p => p.Spec!.UserReference?.Name == login.Name).Spec!;
            Assert.Equal((broker.Metadata.Name, "/"), (permission.RabbitmqClusterReference!.Name, permission.Vhost));
            Assert.Equal((login.Configure, login.Write, login.Read), (permission.Permissions!.Configure, permission.Permissions.Write, permission.Permissions.Read));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_broker_runs_MQTT_ingest_as_the_AppHost_configures_it(string overlay)
    {
        var rendered = await Rendered.OfAsync(overlay);
        var model = await AppHostModel.OfTopologyAsync(overlay);
        var broker = rendered.Named<RabbitmqCluster>(InfrastructureExtensions.MessagingName).Spec!;

        Assert.Empty(MqttExtensions.Plugins.Split(',').Except(broker.Rabbitmq!.AdditionalPlugins!).Except(EssentialBrokerPlugins));
        // The AppHost's MQTT settings (a container node's RABBITMQ_MQTT_CONF): every plain line as it is, and the sign-in
        // addresses, which carry the broker's key, written at start from the secret the ingestion API reads it from.
        var config = broker.Rabbitmq.AdditionalConfig!.Split('\n', StringSplitOptions.TrimEntries);
        var apphostLines = model.BrokerEnvironment["RABBITMQ_MQTT_CONF"].Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.All(apphostLines.Where(l => !l.Contains('{')), l => Assert.Contains(l, config));
        var signInPaths = apphostLines.Select(l => Regex.Match(l, $@"^auth_http\.(\w+)_path = \{{ingestion-api\.bindings\.http\.url\}}{ServiceCallers.BrokerAuthPath}/\{{service-key-broker\.value\}}/(\w+)$"))
            .Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(4, signInPaths.Count);
        Assert.Equal(apphostLines.Count(l => l.Contains('{')), signInPaths.Count);

        var pod = broker.Override!.StatefulSet!.Spec!.Template!.Spec;
        var writer = Assert.Single(pod.InitContainers);
        var script = string.Join(' ', writer.Command);
        Assert.Contains($"for path in {string.Join(' ', signInPaths)}; do", script);
        Assert.Contains($"auth_http.%s_path = http://ingestion-api:8080{ServiceCallers.BrokerAuthPath}/%s/%s", script);
        var key = Assert.Single(writer.Env).ValueFrom.SecretKeyRef;
        var ingestionKey = rendered.Container("ingestion-api").Env.Single(e => e.Name == "Mqtt__BrokerKey").ValueFrom.SecretKeyRef;
        Assert.Equal((ingestionKey.Name, ingestionKey.Key), (key.Name, key.Key));
        var written = Assert.Single(writer.VolumeMounts);
        var mount = Assert.Single(Assert.Single(pod.Containers, c => c.Name == "rabbitmq").VolumeMounts);
        Assert.Equal((written.Name, "/etc/rabbitmq/conf.d/30-mqtt-sign-in.conf"), (mount.Name, mount.MountPath));
        Assert.Contains($"> {written.MountPath}/{mount.SubPath}", script);

        // Devices reach the MQTT listener from outside; the ingestion API reaches every node's management API.
        var mqtt = rendered.Named<V1Service>("messaging-mqtt");
        Assert.Equal(InfrastructureExtensions.MessagingName, mqtt.Spec.Selector["app.kubernetes.io/name"]);
        Assert.Equal(1883, Assert.Single(mqtt.Spec.Ports).Port);
        var managementUrls = rendered.Container("ingestion-api").Env.Where(e => e.Name.StartsWith("Mqtt__ManagementUrls__", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(0, broker.Replicas!.Value).Select(i => $"http://messaging-server-{i}.messaging-nodes:15672/"), managementUrls.Select(e => e.Value));
    }

    [Fact]
    public async Task The_single_overlay_runs_one_of_everything()
    {
        var rendered = await Rendered.OfAsync("single");

        Assert.All(rendered.All<V1Deployment>().Where(d => d.Metadata.Name != "simulator"), d => Assert.Equal(1, d.Spec.Replicas));
        Assert.Equal(1, rendered.Named<CnpgCluster>(InfrastructureExtensions.PostgresName).Spec!.Instances);
        Assert.Equal(1, rendered.Named<RabbitmqCluster>(InfrastructureExtensions.MessagingName).Spec!.Replicas);
        Assert.Empty(rendered.All<V2HorizontalPodAutoscaler>());
        Assert.Empty(rendered.All<V1PodDisruptionBudget>());
    }

    [Fact]
    public async Task The_ha_overlay_runs_replicas_with_budgets_and_autoscalers_three_broker_nodes_and_database_standbys()
    {
        var rendered = await Rendered.OfAsync("ha");

        foreach (var service in new[] { "ingestion-api", "realtime-gateway", "monitor-worker", "alerting-service", "dashboard-web" })
        {
            var deployment = rendered.Named<V1Deployment>(service);
            Assert.True(deployment.Spec.Replicas >= TopologyOptions.DefaultReplicas, $"{service}: {deployment.Spec.Replicas} replicas");
            var budget = rendered.Named<V1PodDisruptionBudget>(service);
            Assert.Equal(deployment.Spec.Template.Metadata.Labels["app.kubernetes.io/name"], budget.Spec.Selector.MatchLabels["app.kubernetes.io/name"]);
            Assert.True(budget.Spec.MinAvailable?.Value is "1" || budget.Spec.MaxUnavailable?.Value is "1", $"{service}: the budget lets one pod go at a time");
        }
        foreach (var service in new[] { "ingestion-api", "realtime-gateway", "monitor-worker", "alerting-service" })
        {
            var autoscaler = rendered.Named<V2HorizontalPodAutoscaler>(service).Spec;
            Assert.Equal(("Deployment", service), (autoscaler.ScaleTargetRef.Kind, autoscaler.ScaleTargetRef.Name));
            Assert.True(autoscaler.MinReplicas >= TopologyOptions.DefaultReplicas && autoscaler.MaxReplicas > autoscaler.MinReplicas, service);
            Assert.Equal("cpu", Assert.Single(autoscaler.Metrics).Resource.Name);
        }

        Assert.Equal(TopologyOptions.BrokerNodes, rendered.Named<RabbitmqCluster>(InfrastructureExtensions.MessagingName).Spec!.Replicas);
        var database = rendered.Named<CnpgCluster>(InfrastructureExtensions.PostgresName).Spec!;
        Assert.True(database.Instances >= 2, $"{database.Instances} PostgreSQL instances");
        // Every commit waits for a standby, as in the AppHost's ha topology.
        Assert.Equal(("any", 1, "required"), (database.Postgresql!.Synchronous!.Method, database.Postgresql.Synchronous.Number, database.Postgresql.Synchronous.DataDurability));
        Assert.All(rendered.All<V1Deployment>().Where(d => d.Metadata.Name != "simulator"),
            d => Assert.Equal("true", rendered.Container(d.Metadata.Name).Env.Single(e => e.Name == "Messaging__QuorumQueues").Value));
        Assert.StartsWith("Host=postgres-ro,postgres-rw;", rendered.Container("monitor-worker").Env.Single(e => e.Name == "ConnectionStrings__sensorsdb-readonly").Value);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Only_the_AppHosts_public_doors_are_exposed_over_TLS_and_none_of_their_internal_routes(string overlay)
    {
        var rendered = await Rendered.OfAsync(overlay);
        var doors = (await AppHostModel.OfTopologyAsync(overlay)).Services.Where(s => s.Value.External).Select(s => s.Key).Order().ToList();

        var ingresses = rendered.All<V1Ingress>().ToList();
        Assert.Equal(doors, ingresses.SelectMany(i => i.Spec.Rules).SelectMany(r => r.Http.Paths).Select(p => p.Backend.Service.Name).Distinct().Order());
        foreach (var ingress in ingresses)
        {
            var tls = Assert.Single(ingress.Spec.Tls);
            Assert.False(string.IsNullOrEmpty(tls.SecretName));
            Assert.All(ingress.Spec.Rules, r => Assert.Contains(r.Host, tls.Hosts));
            Assert.All(ingress.Spec.Rules.SelectMany(r => r.Http.Paths), p => Assert.Equal("http", p.Backend.Service.Port.Name));
        }
        // The broker's sign-in questions (/internal/mqtt) stay inside the cluster.
        var ingestionPaths = ingresses.SelectMany(i => i.Spec.Rules).SelectMany(r => r.Http.Paths).Where(p => p.Backend.Service.Name == "ingestion-api").Select(p => p.Path);
        Assert.All(ingestionPaths, p => Assert.False(p is "/" || p.StartsWith("/internal", StringComparison.Ordinal), p));
    }
}
