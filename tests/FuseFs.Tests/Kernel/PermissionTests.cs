using ManagedCephFuse.FuseFs.Tests.Support;
using Xunit;
using static ManagedCephFuse.FuseFs.Tests.Support.Posix;

namespace ManagedCephFuse.FuseFs.Tests.Kernel;

/// <summary>
/// A non-root user (uid 65534, via setpriv) against permission bits, the sticky bit, ownership rules and
/// supplementary groups — checked by the file system (no default_permissions) and by the kernel (default_permissions).
/// </summary>
[Trait("Category", "Kernel")]
public sealed class PermissionTests
{
    private const uint Nobody = 65534;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NonRootCallerIsDeniedWhatTheModeBitsForbid(bool defaultPermissions)
    {
        using var mount = new MemoryMount(defaultPermissions: defaultPermissions);
        string m = mount.Path;
        File.WriteAllText(mount["private"], "secret");
        Check(Chmod(mount["private"], 0x180), "chmod 600");
        File.WriteAllText(mount["public"], "open");
        Check(Chmod(mount["public"], 0x1A4), "chmod 644");
        File.WriteAllText(mount["shared"], "rw");
        Check(Chmod(mount["shared"], 0x1B6), "chmod 666");
        File.WriteAllText(mount["group"], "members");
        Check(Chown(mount["group"], 0, 1234), "chgrp 1234");
        Check(Chmod(mount["group"], 0x1A0), "chmod 640");
        Directory.CreateDirectory(mount["closed"]);
        File.WriteAllText(mount["closed/inside"], "x");
        Check(Chmod(mount["closed"], 0x1C0), "chmod 700");
        Directory.CreateDirectory(mount["tmp"]);
        Check(Chmod(mount["tmp"], 0x3FF), "chmod 1777");
        File.WriteAllText(mount["tmp/roots"], "r");

        Denied($"cat {m}/private", "Permission denied");
        Allowed($"cat {m}/public");
        Denied($"echo x >> {m}/public", "Permission denied");
        Denied($"touch {m}/new", "Permission denied");
        Denied($"ls {m}/closed", "Permission denied");
        Denied($"cat {m}/closed/inside", "Permission denied");
        Denied($"chmod 777 {m}/public", "Operation not permitted");
        Denied($"touch -d 2001-01-01 {m}/shared", "Operation not permitted"); // explicit times: owner only
        Allowed($"touch {m}/shared");                                        // "now": write permission suffices
        Allowed($"echo more >> {m}/shared");
        Allowed($"touch {m}/tmp/mine && chmod 600 {m}/tmp/mine && mkdir {m}/tmp/dir && rmdir {m}/tmp/dir");
        Denied($"rm -f {m}/tmp/roots", "Operation not permitted"); // sticky directory
        Denied($"chgrp 0 {m}/tmp/mine", "Operation not permitted");
        Denied($"setfattr -n user.x -v 1 {m}/public", "Permission denied");
        Denied($"cat {m}/group", "Permission denied");
        Allowed($"cat {m}/group", groups: "1234"); // a supplementary group grants the group bits
        Denied($"mv {m}/tmp/mine {m}/stolen", "Permission denied");

        Assert.Equal((Nobody, Nobody), (Stat(mount["tmp/mine"]).Uid, Stat(mount["tmp/mine"]).Gid));
        Assert.Equal("secret", File.ReadAllText(mount["private"]));
        Assert.True(File.Exists(mount["tmp/roots"]));
        Assert.Empty(mount.Log.Problems);
    }

    private static (int Exit, string Error) AsNobody(string command, string? groups)
    {
        string groupOption = groups is null ? "--clear-groups" : $"--groups={groups}";
        var result = NativeHelper.Run("setpriv", $"--reuid={Nobody} --regid={Nobody} {groupOption} /bin/sh -c \"{command}\"");
        return (result.ExitCode, result.Error);
    }

    private static void Denied(string command, string message, string? groups = null)
    {
        var (exit, error) = AsNobody(command, groups);
        Assert.True(exit != 0, $"'{command}' succeeded as uid {Nobody}");
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    private static void Allowed(string command, string? groups = null)
    {
        var (exit, error) = AsNobody(command, groups);
        Assert.True(exit == 0, $"'{command}' failed as uid {Nobody}: {error}");
    }
}
