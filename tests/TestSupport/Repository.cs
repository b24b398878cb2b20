namespace ManagedCephFuse.TestSupport;

/// <summary>Paths inside the checkout the tests run from.</summary>
public static class Repository
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The directory holding ManagedCephFuse.sln.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>A published executable in bin/ (what `make build` produces); fails when it is missing.</summary>
    public static string Binary(string name)
    {
        string path = Path.Combine(Root, "bin", name);
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"{path} is missing: run `make build` first");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ManagedCephFuse.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no ManagedCephFuse.sln above {AppContext.BaseDirectory}");
    }
}
