using System.Reflection;
using System.Runtime.InteropServices;
using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>Every P/Invoke resolves in the installed libcephfs.so.2 (a binding to a missing symbol would only
/// fail when first called).</summary>
[Trait("Category", "Unit")]
public sealed class EntryPointTests
{
    [Fact]
    public void EveryBindingIsExportedByTheInstalledLibrary()
    {
        var imports = typeof(Native.LibCephFs)
            .GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Select(m => (Method: m, Import: m.GetCustomAttribute<LibraryImportAttribute>()))
            .Where(x => x.Import is not null)
            .Select(x => x.Import!.EntryPoint ?? x.Method.Name)
            .ToList();
        Assert.True(imports.Count >= 60, $"only {imports.Count} bindings found");
        Assert.Equal(imports.Count, imports.Distinct().Count());
        nint lib = NativeLibrary.Load("libcephfs.so.2");
        try
        {
            var missing = imports.Where(name => !NativeLibrary.TryGetExport(lib, name, out _)).ToList();
            Assert.True(missing.Count == 0, $"not exported: {string.Join(", ", missing)}");
            // and what Pacific lacks stays unbound (a newer libcephfs has them)
            foreach (string absent in new[] { "ceph_ll_nonblocking_readv_writev", "ceph_ll_register_callbacks2", "ceph_ll_iclose" })
            {
                Assert.False(NativeLibrary.TryGetExport(lib, absent, out _), $"{absent} is exported: bind it");
                Assert.DoesNotContain(absent, imports);
            }
        }
        finally
        {
            NativeLibrary.Free(lib);
        }
    }
}
