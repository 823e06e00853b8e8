using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using YamlDotNet.Serialization;

namespace Sensors360.DeploymentTests;

// The operators' custom resources in deploy/kubernetes, with exactly the fields the manifests use, named and typed as
// in each CRD's OpenAPI schema. Loaded with the strict deserializer, so a field that is not declared here (a typo, or a
// field the CRD does not have) fails the load; Violations() adds the schema's enums, patterns and minimums for them.
// Read from the CRDs at these versions:
//   postgresql.cnpg.io/v1 Cluster, ScheduledBackup   cloudnative-pg v1.30.0, config/crd/bases/postgresql.cnpg.io_{clusters,scheduledbackups}.yaml
//   barmancloud.cnpg.io/v1 ObjectStore               plugin-barman-cloud v0.14.0, config/crd/bases/barmancloud.cnpg.io_objectstores.yaml
//   rabbitmq.com/v1beta1 RabbitmqCluster             cluster-operator v2.22.3, config/crd/bases/rabbitmq.com_rabbitmqclusters.yaml
//   rabbitmq.com/v1beta1 User, Permission            messaging-topology-operator v1.20.1, config/crd/bases/rabbitmq.com_{users,permissions}.yaml
// Embedded Kubernetes types (resources, the StatefulSet override's pod template) use the client's own models: the CRDs
// embed the same schemas.

public abstract record CustomResource<TSpec> : IKubernetesObject<V1ObjectMeta> where TSpec : class
{
    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public V1ObjectMeta Metadata { get; set; } = new();
    public TSpec? Spec { get; init; }
}

public sealed record LocalObjectReference
{
    public string? Name { get; init; }
}

// CloudNativePG
public sealed record CnpgCluster : CustomResource<CnpgClusterSpec>;

public sealed record CnpgClusterSpec
{
    public int? Instances { get; init; }
    public string? ImageName { get; init; }
    public bool? EnableSuperuserAccess { get; init; }
    public CnpgBootstrap? Bootstrap { get; init; }
    public CnpgManaged? Managed { get; init; }
    public CnpgPostgresConfiguration? Postgresql { get; init; }
    public V1ResourceRequirements? Resources { get; init; }
    public CnpgStorage? Storage { get; init; }
    public List<CnpgPlugin>? Plugins { get; init; }
}

public sealed record CnpgBootstrap
{
    public CnpgInitDb? Initdb { get; init; }
}

public sealed record CnpgInitDb
{
    public string? Database { get; init; }
    public string? Owner { get; init; }

    [YamlMember(Alias = "postInitApplicationSQL", ApplyNamingConventions = false)]
    public List<string>? PostInitApplicationSql { get; init; }
}

public sealed record CnpgManaged
{
    public List<CnpgRole>? Roles { get; init; }
}

public sealed record CnpgRole
{
    public string? Name { get; init; }
    public string? Ensure { get; init; }
    public bool? Login { get; init; }
    public bool? Inherit { get; init; }
    public LocalObjectReference? PasswordSecret { get; init; }
}

public sealed record CnpgPostgresConfiguration
{
    public Dictionary<string, string>? Parameters { get; init; }
    public CnpgSynchronous? Synchronous { get; init; }
}

public sealed record CnpgSynchronous
{
    public string? Method { get; init; }
    public int? Number { get; init; }
    public string? DataDurability { get; init; }
}

public sealed record CnpgStorage
{
    public string? Size { get; init; }
}

public sealed record CnpgPlugin
{
    public string? Name { get; init; }

    [YamlMember(Alias = "isWALArchiver", ApplyNamingConventions = false)]
    public bool? IsWalArchiver { get; init; }

    public Dictionary<string, string>? Parameters { get; init; }
}

public sealed record CnpgScheduledBackup : CustomResource<CnpgScheduledBackupSpec>;

public sealed record CnpgScheduledBackupSpec
{
    public string? Schedule { get; init; }
    public LocalObjectReference? Cluster { get; init; }
    public string? Method { get; init; }
    public LocalObjectReference? PluginConfiguration { get; init; }
    public string? Target { get; init; }
    public string? BackupOwnerReference { get; init; }
}

public sealed record BarmanObjectStore : CustomResource<BarmanObjectStoreSpec>;

public sealed record BarmanObjectStoreSpec
{
    public string? RetentionPolicy { get; init; }
    public BarmanConfiguration? Configuration { get; init; }
}

public sealed record BarmanConfiguration
{
    public string? DestinationPath { get; init; }

    [YamlMember(Alias = "endpointURL", ApplyNamingConventions = false)]
    public string? EndpointUrl { get; init; }

    public BarmanS3Credentials? S3Credentials { get; init; }
    public BarmanCompression? Wal { get; init; }
    public BarmanCompression? Data { get; init; }
}

public sealed record BarmanS3Credentials
{
    public SecretKeySelector? AccessKeyId { get; init; }
    public SecretKeySelector? SecretAccessKey { get; init; }
}

public sealed record SecretKeySelector
{
    public string? Name { get; init; }
    public string? Key { get; init; }
}

public sealed record BarmanCompression
{
    public string? Compression { get; init; }
}

// RabbitMQ Cluster Operator
public sealed record RabbitmqCluster : CustomResource<RabbitmqClusterSpec>;

public sealed record RabbitmqClusterSpec
{
    public int? Replicas { get; init; }
    public string? Image { get; init; }
    public V1ResourceRequirements? Resources { get; init; }
    public RabbitmqPersistence? Persistence { get; init; }
    public RabbitmqConfiguration? Rabbitmq { get; init; }
    public RabbitmqOverride? Override { get; init; }
}

public sealed record RabbitmqPersistence
{
    public string? Storage { get; init; }
}

public sealed record RabbitmqConfiguration
{
    public List<string>? AdditionalPlugins { get; init; }
    public string? AdditionalConfig { get; init; }
}

public sealed record RabbitmqOverride
{
    public RabbitmqStatefulSetOverride? StatefulSet { get; init; }
}

public sealed record RabbitmqStatefulSetOverride
{
    public RabbitmqStatefulSetOverrideSpec? Spec { get; init; }
}

/// <summary>The override's StatefulSet spec: the fields used here are the pod template's, a Kubernetes PodTemplateSpec.</summary>
public sealed record RabbitmqStatefulSetOverrideSpec
{
    public V1PodTemplateSpec? Template { get; init; }
}

// RabbitMQ Messaging Topology Operator
public sealed record RabbitmqUser : CustomResource<RabbitmqUserSpec>;

public sealed record RabbitmqUserSpec
{
    public LocalObjectReference? RabbitmqClusterReference { get; init; }
    public LocalObjectReference? ImportCredentialsSecret { get; init; }
}

public sealed record RabbitmqPermission : CustomResource<RabbitmqPermissionSpec>;

public sealed record RabbitmqPermissionSpec
{
    public LocalObjectReference? RabbitmqClusterReference { get; init; }
    public string? Vhost { get; init; }
    public LocalObjectReference? UserReference { get; init; }
    public RabbitmqPermissions? Permissions { get; init; }
}

public sealed record RabbitmqPermissions
{
    public string? Configure { get; init; }
    public string? Write { get; init; }
    public string? Read { get; init; }
}

public static class OperatorResources
{
    /// <summary>apiVersion/kind of each custom resource, as KubernetesYaml's type map names them.</summary>
    public static readonly IReadOnlyDictionary<string, Type> Kinds = new Dictionary<string, Type>
    {
        ["postgresql.cnpg.io/v1/Cluster"] = typeof(CnpgCluster),
        ["postgresql.cnpg.io/v1/ScheduledBackup"] = typeof(CnpgScheduledBackup),
        ["barmancloud.cnpg.io/v1/ObjectStore"] = typeof(BarmanObjectStore),
        ["rabbitmq.com/v1beta1/RabbitmqCluster"] = typeof(RabbitmqCluster),
        ["rabbitmq.com/v1beta1/User"] = typeof(RabbitmqUser),
        ["rabbitmq.com/v1beta1/Permission"] = typeof(RabbitmqPermission),
    };

    /// <summary>What the CRDs' schemas require of the fields used (required fields, enums, patterns, minimums).</summary>
    public static IReadOnlyList<string> Violations(object resource)
    {
        var found = new List<string>();
        void Required(string field, object? value)
        {
            if (value is null or string { Length: 0 })
            {
                found.Add($"{field} is required");
            }
        }
        void OneOf(string field, string? value, params string[] allowed)
        {
            if (value is not null && !allowed.Contains(value))
            {
                found.Add($"{field}: '{value}' is not one of {string.Join(", ", allowed)}");
            }
        }
        void Matches(string field, string? value, string pattern)
        {
            if (value is not null && !Regex.IsMatch(value, pattern))
            {
                found.Add($"{field}: '{value}' does not match {pattern}");
            }
        }

        switch (resource)
        {
            case CnpgCluster { Spec: var spec }:
                Required("spec", spec);
                if (spec?.Instances is < 1)
                {
                    found.Add("spec.instances must be at least 1");
                }
                foreach (var role in spec?.Managed?.Roles ?? [])
                {
                    Required("spec.managed.roles[].name", role.Name);
                    OneOf("spec.managed.roles[].ensure", role.Ensure, "present", "absent");
                    if (role.PasswordSecret is not null)
                    {
                        Required("spec.managed.roles[].passwordSecret.name", role.PasswordSecret.Name);
                    }
                }
                if (spec?.Postgresql?.Synchronous is { } synchronous)
                {
                    Required("spec.postgresql.synchronous.method", synchronous.Method);
                    Required("spec.postgresql.synchronous.number", synchronous.Number);
                    OneOf("spec.postgresql.synchronous.method", synchronous.Method, "any", "first");
                    OneOf("spec.postgresql.synchronous.dataDurability", synchronous.DataDurability, "required", "preferred");
                }
                foreach (var plugin in spec?.Plugins ?? [])
                {
                    Required("spec.plugins[].name", plugin.Name);
                }
                break;
            case CnpgScheduledBackup { Spec: var spec }:
                Required("spec.schedule", spec?.Schedule);
                Required("spec.cluster.name", spec?.Cluster?.Name);
                OneOf("spec.method", spec?.Method, "barmanObjectStore", "volumeSnapshot", "plugin");
                OneOf("spec.target", spec?.Target, "primary", "prefer-standby");
                OneOf("spec.backupOwnerReference", spec?.BackupOwnerReference, "none", "self", "cluster");
                if (spec?.PluginConfiguration is { } configuration)
                {
                    Required("spec.pluginConfiguration.name", configuration.Name);
                }
                // CloudNativePG's schedules have six fields, seconds first.
                Matches("spec.schedule", spec?.Schedule, @"^\S+( \S+){5}$");
                break;
            case BarmanObjectStore { Spec: var spec }:
                Required("spec.configuration", spec?.Configuration);
                Required("spec.configuration.destinationPath", spec?.Configuration?.DestinationPath);
                Matches("spec.retentionPolicy", spec?.RetentionPolicy, "^[1-9][0-9]*[dwm]$");
                foreach (var selector in new[] { spec?.Configuration?.S3Credentials?.AccessKeyId, spec?.Configuration?.S3Credentials?.SecretAccessKey })
                {
                    if (selector is not null)
                    {
                        Required("spec.configuration.s3Credentials.*.name", selector.Name);
                        Required("spec.configuration.s3Credentials.*.key", selector.Key);
                    }
                }
                OneOf("spec.configuration.wal.compression", spec?.Configuration?.Wal?.Compression, "bzip2", "gzip", "lz4", "snappy", "xz", "zstd");
                OneOf("spec.configuration.data.compression", spec?.Configuration?.Data?.Compression, "bzip2", "gzip", "lz4", "snappy");
                break;
            case RabbitmqCluster { Spec: var spec }:
                Required("spec", spec);
                if (spec?.Replicas is < 0)
                {
                    found.Add("spec.replicas must not be negative");
                }
                foreach (var plugin in spec?.Rabbitmq?.AdditionalPlugins ?? [])
                {
                    Matches("spec.rabbitmq.additionalPlugins[]", plugin, @"^\w{1,100}$");
                }
                if (spec?.Rabbitmq?.AdditionalConfig is { Length: > 100_000 })
                {
                    found.Add("spec.rabbitmq.additionalConfig is longer than 100000 characters");
                }
                foreach (var container in spec?.Override?.StatefulSet?.Spec?.Template?.Spec?.Containers ?? [])
                {
                    Required("spec.override.statefulSet.spec.template.spec.containers[].name", container.Name);
                }
                break;
            case RabbitmqUser { Spec: var spec }:
                Required("spec.rabbitmqClusterReference", spec?.RabbitmqClusterReference);
                break;
            case RabbitmqPermission { Spec: var spec }:
                Required("spec.permissions", spec?.Permissions);
                Required("spec.rabbitmqClusterReference", spec?.RabbitmqClusterReference);
                Required("spec.vhost", spec?.Vhost);
                break;
        }
        return found;
    }
}
