using ManagedCephFuse.BenchRunner.Contenders;
using ManagedCephFuse.BenchRunner.Os;
using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.BenchRunner.Tests;

/// <summary>
/// fsops and libfuse-ref compiled from the repository's sources with gcc, as make bench builds them, into a
/// temporary directory that also holds the tests' mount points; removed afterwards.
/// </summary>
public sealed class ToolsFixture : IDisposable
{
    public ToolsFixture()
    {
        Directory = global::System.IO.Directory.CreateTempSubdirectory("bench-tests-").FullName;
        string fuseFlags = Tool.Output("pkg-config", ["--cflags", "--libs", "fuse3"], TimeSpan.FromSeconds(30), CancellationToken.None);
        Compile("perf/tools/fsops.c", "fsops");
        Compile("perf/libfuse-ref/libfuse_ref.c", "libfuse-ref", [.. fuseFlags.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries), "-lpthread"]);
        Tools = BenchTools.In(Directory, Path.Combine(Directory, "ceph-direct-not-used"));
    }

    public string Directory { get; }

    internal BenchTools Tools { get; }

    private void Compile(string source, string output, string[]? libraries = null) =>
        Tool.Output("gcc", ["-O2", "-Wall", "-Wextra", "-Werror", "-o", Path.Combine(Directory, output),
            Path.Combine(Repository.Root, source), .. libraries ?? []], TimeSpan.FromMinutes(2), CancellationToken.None);

    public void Dispose()
    {
        // every test unmounts what it mounted; a leftover mount here would make the delete fail loudly
        global::System.IO.Directory.Delete(Directory, recursive: true);
    }
}
