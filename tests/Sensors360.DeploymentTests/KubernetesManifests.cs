using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Sensors360.DeploymentTests;

/// <summary>
/// deploy/kubernetes rendered by <c>kubectl kustomize overlays/&lt;overlay&gt;</c> and loaded object by object: the built-in
/// kinds as the KubernetesClient package's typed models, the operators' custom resources as <see cref="OperatorResources"/>,
/// both strictly (an unknown field fails). Rendering happens in a copy of the tree whose secrets are made by
/// generate-secrets.sh (plus placeholder object-store credentials), as an operator would: the repository holds no secret,
/// and the operator's own base/secrets/*.env, should the working tree have them, are not read.
/// </summary>
public static class KubernetesManifests
{
    public static readonly string[] Overlays = ["single", "ha"];

    static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Rendered = new();

    public static string Directory => Path.Combine(Repository.Root, "deploy", "kubernetes");

    public static Task<string> RenderAsync(string overlay) =>
        Rendered.GetOrAdd(overlay, o => new Lazy<Task<string>>(() => RenderCopyAsync(o))).Value;

    public static async Task<IReadOnlyList<object>> LoadAsync(string overlay) => Load(await RenderAsync(overlay));

    /// <summary>Every document of <paramref name="yaml"/> as its typed model; throws on an unknown kind or field.</summary>
    public static IReadOnlyList<object> Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        foreach (var document in stream.Documents)
        {
            var root = (YamlMappingNode)document.RootNode;
            var apiVersion = root.Children[new YamlScalarNode("apiVersion")].ToString();
            var kind = root.Children[new YamlScalarNode("kind")].ToString();
            if (!IsKnown($"{apiVersion}/{kind}"))
            {
                throw new InvalidOperationException($"Unknown kind {apiVersion}/{kind}: neither a built-in model nor an operator resource the tests know.");
            }
        }
        return KubernetesYaml.LoadAllFromString(yaml, OperatorResources.Kinds.ToDictionary(), strict: true);
    }

    static bool IsKnown(string apiVersionKind) =>
        OperatorResources.Kinds.ContainsKey(apiVersionKind) || BuiltInKinds.Value.Contains(apiVersionKind);

    static readonly Lazy<HashSet<string>> BuiltInKinds = new(() => [.. typeof(KubernetesEntityAttribute).Assembly.GetTypes()
        .Select(t => t.GetCustomAttributes(typeof(KubernetesEntityAttribute), false).OfType<KubernetesEntityAttribute>().FirstOrDefault())
        .Where(a => a is not null)
        .Select(a => $"{(string.IsNullOrEmpty(a!.Group) ? "" : a.Group + "/")}{a.ApiVersion}/{a.Kind}")]);

    static async Task<string> RenderCopyAsync(string overlay)
    {
        var copy = System.IO.Directory.CreateTempSubdirectory("sensors360-kustomize-");
        try
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(Directory, file);
                if (Path.GetDirectoryName(relative) == Path.Combine("base", "secrets") && file.EndsWith(".env", StringComparison.Ordinal))
                {
                    continue;
                }
                var target = Path.Combine(copy.FullName, relative);
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            await Command.RunAsync(copy.FullName, "bash", "generate-secrets.sh");
            await File.WriteAllTextAsync(Path.Combine(copy.FullName, "base", "secrets", "postgres-backups.env"),
                "ACCESS_KEY_ID=test-access-key\nACCESS_SECRET_KEY=test-secret-key\n");
            return await Command.RunAsync(copy.FullName, "kubectl", "kustomize", Path.Combine("overlays", overlay));
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }
}
