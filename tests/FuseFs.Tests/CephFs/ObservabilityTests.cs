using System.Text.Json;
using ManagedCephFuse.FuseFs.Tests.CephFs.Support;
using Xunit;
using Obs = ManagedCephFuse.FuseFs.Tests.Diagnostics.ObservabilityTests;

namespace ManagedCephFuse.FuseFs.Tests.CephFs;

/// <summary>
/// The admin socket of a CephFS mount: where the conf puts a client's socket, ceph-fuse's commands answered with
/// libcephfs's own loggers (client, objecter, …) and ours side by side, libcephfs-only commands (dump_cache)
/// forwarded to its socket, and the Prometheus endpoint counting the bytes that went to the cluster.
/// </summary>
[Collection(CephFsTests.Name)]
[Trait("Category", "Cluster")]
public sealed class ObservabilityTests(CephMounts mounts)
{
    [Fact]
    public async Task PerfDumpShowsLibcephfsAndFuseCountersThatMoveWithIo()
    {
        string volume = mounts.NewDirectory("obs");
        int port = Obs.FreePort();
        DaemonMount mount = DaemonMount.Ours(extra: ["--metrics-address", $"127.0.0.1:{port}"]);
        try
        {
            string socket = mount.AdminSocket; // the conf's "admin socket = run/$name.$pid.asok"
            Assert.True(File.Exists(socket), $"no admin socket at {socket}");
            Assert.True(File.Exists(socket[..^5] + ".libcephfs.asok"), "libcephfs's own socket did not move beside ours");

            using JsonDocument before = Obs.Ceph(socket, "perf", "dump");
            Assert.True(before.RootElement.TryGetProperty("objecter", out _), "libcephfs's loggers are missing");
            long clientWritesBefore = before.RootElement.GetProperty("client").GetProperty("wrlat").GetProperty("avgcount").GetInt64();
            long bytesBefore = before.RootElement.GetProperty("fuse").GetProperty("bytes_written").GetInt64();
            Dictionary<string, double> scrapedBefore = await Obs.ScrapeAsync(port);

            string file = Path.Combine(mount[volume], "data");
            var block = new byte[1 << 20];
            Random.Shared.NextBytes(block);
            using (var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                stream.Write(block);
                stream.Write(block);
                stream.Flush(flushToDisk: true);
            }

            using JsonDocument after = Obs.Ceph(socket, "perf", "dump");
            Assert.Equal(2L << 20, after.RootElement.GetProperty("fuse").GetProperty("bytes_written").GetInt64() - bytesBefore);
            long writes = after.RootElement.GetProperty("fuse_op_write").GetProperty("count").GetInt64();
            Assert.True(after.RootElement.GetProperty("client").GetProperty("wrlat").GetProperty("avgcount").GetInt64() - clientWritesBefore >= 2,
                "libcephfs's own write counter did not move");
            Assert.True(after.RootElement.GetProperty("fuse_op_fsync").GetProperty("count").GetInt64() >= 1);
            Assert.True(after.RootElement.GetProperty("fuse_op_write").GetProperty("backend_lat").GetProperty("sum").GetDouble() > 0);
            Assert.True(after.RootElement.GetProperty("fuse").GetProperty("nodes").GetInt64() >= 2); // the directory and the file

            Dictionary<string, double> scraped = await Obs.ScrapeAsync(port);
            Assert.Equal(2L << 20, scraped["managed_cephfuse_written_bytes_total"] - scrapedBefore["managed_cephfuse_written_bytes_total"]);
            Assert.True(scraped["managed_cephfuse_requests_total{op=\"WRITE\"}"] >= writes);
            Assert.True(scraped["managed_cephfuse_open_files"] >= 0 && scraped["managed_cephfuse_nodes"] >= 2);

            // libcephfs's own commands, through our socket
            using JsonDocument cache = Obs.Ceph(socket, "dump_cache");
            Assert.True(cache.RootElement.GetProperty("cache").GetArrayLength() > 0);
            using JsonDocument status = Obs.Ours(socket, "status");
            Assert.True(status.RootElement.GetProperty("inode_count").GetInt64() > 0);
            Assert.Equal("cephfs", status.RootElement.GetProperty("fuse").GetProperty("backend").GetString());
            using JsonDocument size = Obs.Ceph(socket, "config", "get", "client_oc_size");
            Assert.Equal("33554432", size.RootElement.GetProperty("client_oc_size").GetString());
            using JsonDocument logging = Obs.Ceph(socket, "config", "get", "debug_client");
            Assert.Equal("0/0", logging.RootElement.GetProperty("debug_client").GetString()); // no in-memory log per request
            using JsonDocument version = Obs.Ceph(socket, "version");
            Assert.StartsWith("16.", version.RootElement.GetProperty("libcephfs_version").GetString(), StringComparison.Ordinal);
            File.Delete(file);
        }
        finally
        {
            mount.Dispose();
        }
        Assert.False(File.Exists(mount.AdminSocket));
    }

    [Fact]
    public void ACephOptionOnTheCommandLineWinsOverOurDefaults()
    {
        DaemonMount mount = DaemonMount.Ours(extra: ["--debug_client=0/5", "--client_oc_size=16777216"]);
        try
        {
            using JsonDocument logging = Obs.Ceph(mount.AdminSocket, "config", "get", "debug_client");
            Assert.Equal("0/5", logging.RootElement.GetProperty("debug_client").GetString());
            using JsonDocument size = Obs.Ceph(mount.AdminSocket, "config", "get", "client_oc_size");
            Assert.Equal("16777216", size.RootElement.GetProperty("client_oc_size").GetString());
            using JsonDocument objecter = Obs.Ceph(mount.AdminSocket, "config", "get", "debug_objecter");
            Assert.Equal("0/0", objecter.RootElement.GetProperty("debug_objecter").GetString());
        }
        finally
        {
            mount.Dispose();
        }
    }
}
