using System.Text.Json;
using k8s;
using k8s.Models;
using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.Deploy.Tests;

/// <summary>
/// deploy/kubernetes: it builds with kubectl's kustomize, every object is what the Kubernetes API accepts (its
/// schema from kubernetes-models, its fields from KubernetesClient's models read strictly), and the objects
/// agree with each other (names, namespaces, secrets, sockets, the image's version).
/// </summary>
public sealed class ManifestTests
{
    private const string Namespace = "managed-cephfuse";

    [Fact]
    public async Task TheKustomizationListsEveryFileAndTagsTheBinariesVersion()
    {
        var kustomization = KubernetesYaml.Deserialize<Dictionary<string, object>>(
            await File.ReadAllTextAsync(Path.Combine(Manifests.Directory, "kustomization.yaml")));
        var resources = ((List<object>)kustomization["resources"]).Select(r => r.ToString()).Order().ToList();
        var files = Directory.GetFiles(Manifests.Directory, "*.yaml").Select(Path.GetFileName)
            .Where(f => f != "kustomization.yaml").Order().ToList();
        Assert.Equal(files, resources);
        Assert.Equal(Namespace, kustomization["namespace"]);

        var component = KubernetesYaml.Deserialize<Dictionary<string, object>>(
            await File.ReadAllTextAsync(Path.Combine(Manifests.Directory, "snapshots", "kustomization.yaml")));
        var referenced = ((List<object>)component["resources"]).Select(r => r.ToString())
            .Concat(((List<object>)component["patches"]).Cast<Dictionary<object, object>>().Select(p => p["path"].ToString()))
            .Order().ToList();
        var componentFiles = Directory.GetFiles(Path.Combine(Manifests.Directory, "snapshots"), "*.yaml").Select(Path.GetFileName)
            .Where(f => f != "kustomization.yaml").Order().ToList();
        Assert.Equal(componentFiles, referenced);

        string version = (await Commands.RunAsync(Repository.Binary("cephcsi"), "--version")).Ok("cephcsi --version").Stdout.Split(' ')[2];
        var image = ((List<object>)kustomization["images"]).Cast<Dictionary<object, object>>().Single();
        Assert.Equal("localhost/managed-cephfuse/cephcsi", image["newName"]);
        Assert.Equal(version, image["newTag"]);
        foreach (var manifests in new[] { await Manifests.Default })
        {
            foreach (var pod in new[] { manifests.NodePlugin.Spec.Template.Spec, manifests.Provisioner.Spec.Template.Spec })
                Assert.Contains(pod.Containers, c => c.Image == $"localhost/managed-cephfuse/cephcsi:{version}");
        }
    }

    [Fact]
    public async Task EveryObjectReadsStrictlyAsItsKubernetesModel()
    {
        // Manifests.Load reads strictly: an unknown field anywhere throws before this test sees the objects
        var manifests = await Manifests.Default;
        Assert.Equal(17, manifests.Objects.Count);
        var untyped = Assert.Single(manifests.All<UntypedObject>());
        Assert.Equal(("snapshot.storage.k8s.io/v1", "VolumeSnapshotClass"), (untyped.ApiVersion, untyped.Kind));
        Assert.Contains(manifests.Provisioner.Spec.Template.Spec.Containers, c => c.Name == "csi-snapshotter");
    }

    [Fact]
    public void StrictReadingRejectsAFieldTheModelDoesNotHave()
    {
        const string typo = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: x
            spec:
              containers:
                - name: c
                  image: i
                  volumeMounts:
                    - name: v
                      mountPath: /x
                      mountPropogation: Bidirectional
            """;
        var error = Assert.ThrowsAny<Exception>(() => Manifests.Load(typo));
        Assert.Contains("mountPropogation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryObjectMatchesItsKubernetesSchema()
    {
        foreach (var manifests in new[] { await Manifests.Default })
        {
            var results = await ValidateAsync(manifests.Yaml);
            Assert.Equal(manifests.Objects.Count, results.Count);
            foreach (var result in results)
            {
                string what = $"{result.ApiVersion} {result.Kind} {result.Name}";
                if (result.ApiVersion.StartsWith("snapshot.storage.k8s.io/", StringComparison.Ordinal))
                    Assert.True(result.Result == "no-schema", $"{what}: {result.Result}"); // a CRD: kubernetes-models has no schema for it
                else
                    Assert.True(result.Result == "valid", $"{what}: {result.Result} {string.Join("; ", result.Errors)}");
            }
        }
    }

    [Fact]
    public async Task TheSchemaValidatorRejectsMissingFieldsAndBadValues()
    {
        const string broken = """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: broken
            spec:
              selector:
                matchLabels: {app: x}
              template:
                metadata:
                  labels: {app: x}
                spec:
                  containers:
                    - image: i
                      volumeMounts:
                        - name: v
                          mountPath: /x
                          mountPropagation: Sideways
            """;
        var result = Assert.Single(await ValidateAsync(broken));
        Assert.Equal("invalid", result.Result);
        string errors = string.Join("; ", result.Errors);
        Assert.Contains("required property name", errors, StringComparison.Ordinal);
        Assert.Contains("mountPropagation", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamesNamespacesSecretsAndSocketsAgree()
    {
        var manifests = await Manifests.Default;
        foreach (var o in manifests.Objects.OfType<IMetadata<V1ObjectMeta>>())
        {
            bool clusterScoped = o is V1Namespace or V1CSIDriver or V1StorageClass or V1ClusterRole or V1ClusterRoleBinding;
            Assert.True(clusterScoped ? o.Metadata.NamespaceProperty is null : o.Metadata.NamespaceProperty == Namespace,
                $"{o.GetType().Name} {o.Metadata.Name} is in namespace '{o.Metadata.NamespaceProperty}'");
        }
        var accounts = manifests.All<V1ServiceAccount>().Select(a => a.Metadata.Name).ToHashSet();
        foreach (var subject in manifests.All<V1ClusterRoleBinding>().SelectMany(b => b.Subjects).Concat(manifests.All<V1RoleBinding>().SelectMany(b => b.Subjects)))
        {
            Assert.Equal("ServiceAccount", subject.Kind);
            Assert.Contains(subject.Name, accounts);
            Assert.Equal(Namespace, subject.NamespaceProperty);
        }
        foreach (var binding in manifests.All<V1ClusterRoleBinding>())
            Assert.Contains(manifests.All<V1ClusterRole>(), r => r.Metadata.Name == binding.RoleRef.Name);
        foreach (var binding in manifests.All<V1RoleBinding>())
            Assert.Contains(manifests.All<V1Role>(), r => r.Metadata.Name == binding.RoleRef.Name);

        string driver = manifests.All<V1CSIDriver>().Single().Metadata.Name;
        var storageClass = manifests.All<V1StorageClass>().Single();
        Assert.Equal(driver, storageClass.Provisioner);
        var secrets = manifests.All<V1Secret>().Select(s => s.Metadata.Name).ToHashSet();
        foreach ((string key, string value) in storageClass.Parameters.Where(p => p.Key.StartsWith("csi.storage.k8s.io/", StringComparison.Ordinal)))
            Assert.True(key.EndsWith("-namespace", StringComparison.Ordinal) ? value == Namespace : secrets.Contains(value), $"{key}: {value}");
        var secret = manifests.All<V1Secret>().Single();
        Assert.Equal(["adminID", "adminKey", "userID", "userKey"], secret.StringData.Keys.Order());

        foreach (var pod in new[] { manifests.NodePlugin.Spec.Template.Spec, manifests.Provisioner.Spec.Template.Spec })
        {
            Assert.Contains(pod.ServiceAccountName, accounts);
            foreach (var container in pod.Containers)
            {
                foreach (var mount in container.VolumeMounts ?? [])
                    Assert.Contains(pod.Volumes, v => v.Name == mount.Name);
                if (container.Image.Contains("cephcsi", StringComparison.Ordinal))
                    Assert.Contains($"--drivername={driver}", container.Args);
            }
            foreach (var volume in pod.Volumes.Where(v => v.ConfigMap is not null))
                Assert.Contains(manifests.All<V1ConfigMap>(), m => m.Metadata.Name == volume.ConfigMap.Name);
        }

        // kubelet finds the node plugin's socket where the registrar says it is: the socket dir's host path
        var node = manifests.NodePlugin.Spec.Template.Spec;
        var plugin = node.Containers.Single(c => c.Name == "csi-cephfsplugin");
        string endpoint = plugin.Env.Single(e => e.Name == "CSI_ENDPOINT").Value;
        var socketMount = plugin.VolumeMounts.Single(m => endpoint.StartsWith("unix://" + m.MountPath, StringComparison.Ordinal));
        string hostSocket = Path.Combine(node.Volumes.Single(v => v.Name == socketMount.Name).HostPath.Path, Path.GetFileName(endpoint));
        var registrar = node.Containers.Single(c => c.Name == "driver-registrar");
        Assert.Contains($"--kubelet-registration-path={hostSocket}", registrar.Args);
        Assert.Equal($"/var/lib/kubelet/plugins/{driver}/csi.sock", hostSocket);
        Assert.Contains($"--csi-address={endpoint["unix://".Length..]}", registrar.Args);
        Assert.Contains(registrar.VolumeMounts, m => m.Name == socketMount.Name && m.MountPath == socketMount.MountPath);
        // the mounts kubelet's pods see come back through Bidirectional propagation; /dev/fuse is the host's
        foreach (string path in new[] { "/var/lib/kubelet/pods", "/var/lib/kubelet/plugins" })
            Assert.Equal("Bidirectional", plugin.VolumeMounts.Single(m => m.MountPath == path).MountPropagation);
        Assert.Equal("CharDevice", node.Volumes.Single(v => v.HostPath?.Path == "/dev/fuse").HostPath.Type);
        Assert.True(plugin.SecurityContext.Privileged);
        // the plugin's state survives the container, beside its socket
        Assert.StartsWith($"/var/lib/kubelet/plugins/{driver}/", node.Volumes.Single(v => v.Name == "plugin-state").HostPath.Path, StringComparison.Ordinal);

        // every provisioner sidecar talks to the plugin's socket and elects a leader
        var provisioner = manifests.Provisioner.Spec.Template.Spec;
        string controllerEndpoint = provisioner.Containers.Single(c => c.Name == "csi-cephfsplugin").Env.Single(e => e.Name == "CSI_ENDPOINT").Value;
        foreach (var sidecar in provisioner.Containers.Where(c => c.Name != "csi-cephfsplugin"))
        {
            Assert.Equal(controllerEndpoint, sidecar.Env.Single(e => e.Name == "ADDRESS").Value);
            Assert.Contains("--leader-election=true", sidecar.Args);
        }
        Assert.Contains(manifests.All<V1Role>().SelectMany(r => r.Rules), rule => rule.Resources.Contains("leases"));
    }

    private sealed record SchemaResult(string ApiVersion, string Kind, string Name, string Result, string[] Errors);

    /// <summary>Runs the schema validator (node, kubernetes-models) on a YAML text.</summary>
    private static async Task<List<SchemaResult>> ValidateAsync(string yaml)
    {
        string schema = Path.Combine(Repository.Root, "tests", "Deploy.Tests", "schema");
        Assert.True(Directory.Exists(Path.Combine(schema, "node_modules", "kubernetes-models")),
            $"{schema}/node_modules is missing: run make deps (npm ci there)");
        string file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, yaml);
            var run = (await Commands.RunAsync("node", [Path.Combine(schema, "validate.mjs"), file], TimeSpan.FromMinutes(1), workingDirectory: schema))
                .Ok("node validate.mjs");
            var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
            return run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => JsonSerializer.Deserialize<SchemaResult>(line, options)!).ToList();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
