using k8s;
using k8s.Models;
using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.Deploy.Tests;

/// <summary>
/// deploy/kubernetes as <c>kubectl kustomize</c> builds it (the objects <c>kubectl apply -k</c> sends), as YAML
/// and as KubernetesClient's typed models (the snapshots component included, as the kustomization has it).
/// </summary>
internal sealed class Manifests
{
    private static readonly Lazy<Task<Manifests>> LazyDefault = new(BuildAsync);

    private Manifests(string yaml, IReadOnlyList<object> objects)
    {
        Yaml = yaml;
        Objects = objects;
    }

    public static string Directory => Path.Combine(Repository.Root, "deploy", "kubernetes");
    public static Task<Manifests> Default => LazyDefault.Value;

    /// <summary>The build's output: every object, one YAML document each.</summary>
    public string Yaml { get; }

    /// <summary>The objects as typed models (KubernetesClient knows the core kinds; others stay untyped).</summary>
    public IReadOnlyList<object> Objects { get; }

    public V1DaemonSet NodePlugin => Single<V1DaemonSet>("csi-cephfsplugin");
    public V1Deployment Provisioner => Single<V1Deployment>("csi-cephfsplugin-provisioner");

    public T Single<T>(string name) where T : IMetadata<V1ObjectMeta> =>
        Objects.OfType<T>().SingleOrDefault(o => o.Metadata.Name == name)
        ?? throw new InvalidOperationException($"no {typeof(T).Name} {name} in the build");

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public static async Task<CommandResult> KustomizeAsync(string directory) =>
        await Commands.RunAsync("kubectl", ["kustomize", directory], TimeSpan.FromMinutes(1));

    private static async Task<Manifests> BuildAsync()
    {
        var build = (await KustomizeAsync(Directory)).Ok($"kubectl kustomize {Directory}");
        return new Manifests(build.Stdout, Load(build.Stdout));
    }

    /// <summary>
    /// Each document as KubernetesClient's model for its apiVersion/kind, read strictly: a field the model does
    /// not have (a typo, a field of another kind) throws, as the API server's strict field validation would.
    /// Kinds KubernetesClient does not model (custom resources) come back as <see cref="UntypedObject"/>.
    /// </summary>
    public static IReadOnlyList<object> Load(string yaml)
    {
        var objects = new List<object>();
        foreach (string document in Documents(yaml))
        {
            try
            {
                objects.AddRange(KubernetesYaml.LoadAllFromString(document, typeMap: null, strict: true));
            }
            catch (KeyNotFoundException)
            {
                objects.Add(UntypedObject.Parse(document));
            }
        }
        return objects;
    }

    /// <summary>The documents of a multi-document YAML text.</summary>
    public static IEnumerable<string> Documents(string yaml)
    {
        foreach (string document in ("\n" + yaml).Split("\n---\n"))
        {
            if (document.Split('\n').Any(line => line.StartsWith("kind:", StringComparison.Ordinal)))
                yield return document;
        }
    }

    /// <summary>
    /// A container's args with the $(VAR) references resolved from its env (fieldRef values come from
    /// <paramref name="fieldValues"/>, as kubelet would fill them in).
    /// </summary>
    public static List<string> ResolvedArgs(V1Container container, IReadOnlyDictionary<string, string> fieldValues)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in container.Env ?? [])
        {
            if (variable.Value is { } value)
                values[variable.Name] = value;
            else if (variable.ValueFrom?.FieldRef?.FieldPath is { } field)
                values[variable.Name] = fieldValues.TryGetValue(field, out string? filled) ? filled
                    : throw new InvalidOperationException($"env {variable.Name}: no value for fieldRef {field}");
        }
        var args = new List<string>();
        foreach (string arg in container.Args ?? [])
        {
            string resolved = arg;
            foreach ((string name, string value) in values)
                resolved = resolved.Replace($"$({name})", value, StringComparison.Ordinal);
            Assert.DoesNotContain("$(", resolved, StringComparison.Ordinal);
            args.Add(resolved);
        }
        return args;
    }
}

/// <summary>An object of a kind KubernetesClient has no model for (its apiVersion, kind and name only).</summary>
internal sealed record UntypedObject(string ApiVersion, string Kind, string Name)
{
    public static UntypedObject Parse(string document)
    {
        var fields = KubernetesYaml.Deserialize<Dictionary<string, object>>(document);
        string name = fields.TryGetValue("metadata", out object? metadata) && metadata is IDictionary<object, object> meta
            && meta.TryGetValue("name", out object? value) ? value?.ToString() ?? "" : "";
        return new UntypedObject(fields["apiVersion"].ToString()!, fields["kind"].ToString()!, name);
    }
}
