namespace ManagedCephFuse.Deploy.Tests;

/// <summary>The installed managed-cephfuse@.service and its target pass systemd-analyze verify without a word.</summary>
public sealed class SystemdUnitTests(Installed installed) : IClassFixture<Installed>
{
    [Fact]
    public async Task TheTemplateForAnEscapedMountPointVerifiesCleanly()
    {
        string instance = (await Commands.RunAsync("systemd-escape", "--path", "/mnt/ceph fs")).Ok("systemd-escape").Stdout.Trim();
        Assert.Equal(@"mnt-ceph\x20fs", instance);
        string unit = Path.Combine(installed.UnitDirectory, $"managed-cephfuse@{instance}.service");
        string target = Path.Combine(installed.UnitDirectory, "managed-cephfuse.target");
        var verify = await Commands.RunAsync("systemd-analyze", ["verify", unit, target], TimeSpan.FromMinutes(1));
        Assert.True(verify.ExitCode == 0 && verify.Output.Trim().Length == 0, $"systemd-analyze verify:\n{verify.Output}");

        string text = await File.ReadAllTextAsync(Path.Combine(installed.UnitDirectory, "managed-cephfuse@.service"));
        Assert.Contains($"ExecStart={installed.Prefix}/bin/managed-cephfuse -f --cluster ${{CLUSTER}} $MANAGED_CEPHFUSE_ARGS %I", text, StringComparison.Ordinal);
        Assert.Contains("PartOf=managed-cephfuse.target", text, StringComparison.Ordinal);
        Assert.Contains("WantedBy=managed-cephfuse.target", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyReportsAMistakeInTheUnit()
    {
        // the check above is meaningful: systemd-analyze names an unknown setting (and a missing binary)
        using var temp = new TempDirectory("unit-typo-");
        string text = await File.ReadAllTextAsync(Path.Combine(installed.UnitDirectory, "managed-cephfuse@.service"));
        await File.WriteAllTextAsync(temp.Combine("broken@.service"),
            text.Replace("LockPersonality=", "LockPersonalty=", StringComparison.Ordinal).Replace(installed.Prefix, temp.Path, StringComparison.Ordinal));
        var verify = await Commands.RunAsync("systemd-analyze", ["verify", temp.Combine("broken@mnt.service")], TimeSpan.FromMinutes(1));
        Assert.Contains("LockPersonalty", verify.Output, StringComparison.Ordinal);
        Assert.Contains("managed-cephfuse", verify.Output, StringComparison.Ordinal);
    }
}
