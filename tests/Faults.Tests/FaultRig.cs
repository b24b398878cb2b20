using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace ManagedCephFuse.Faults.Tests;

/// <summary>
/// How a fault is run, the same for each: the cluster is made healthy and both clients checked (a broken one is
/// remounted), the scenario's preparation runs, both clients get a fresh <see cref="Window"/> and must make
/// progress, the fault is injected (<c>Inject</c> returns when its cause is over: daemon back, network restored,
/// space freed...), then both clients get <c>RecoveryTimeout</c> to succeed again three times at writing and at
/// metadata. One more second of I/O, the window closes, a client that did not recover is remounted, and each
/// client's fsync'd blocks are read back through the other client.
/// </summary>
internal sealed class Scenario
{
    public required string Name { get; init; }

    public required string What { get; init; }

    /// <summary>Standby MDS daemons the cluster must have before the fault.</summary>
    public int Standbys { get; init; }

    public Action<FaultRun>? Prepare { get; init; }

    public required Action<FaultRun> Inject { get; init; }

    public Action<FaultRun>? Cleanup { get; init; }

    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>What a scenario sees while it runs.</summary>
internal sealed class FaultRun(FaultRig rig, Window managed, Window cephFuse)
{
    private readonly List<string> _notes = [];

    public FaultCluster Cluster => rig.Cluster;

    public FaultClient[] Clients => rig.Clients;

    public Window WindowOf(FaultClient client) => ReferenceEquals(client, rig.Managed) ? managed : cephFuse;

    public FaultClient PeerOf(FaultClient client) => ReferenceEquals(client, rig.Managed) ? rig.CephFuse : rig.Managed;

    public void Note(string note)
    {
        lock (_notes)
            _notes.Add(note);
    }

    public string Notes
    {
        get
        {
            lock (_notes)
                return string.Join("; ", _notes);
        }
    }

    /// <summary>Waits until every client's window satisfies <paramref name="condition"/>, noting for each how long it
    /// took (or that it never did).</summary>
    public void WaitForEachClient(string what, Func<Window, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var pending = new List<FaultClient>(Clients);
        while (pending.Count > 0 && clock.Elapsed < timeout)
        {
            foreach (FaultClient client in pending.ToArray())
            {
                if (condition(WindowOf(client)))
                {
                    Note($"{client.Label}: {what} after {ClientOutcome.Seconds(clock.Elapsed)}");
                    pending.Remove(client);
                }
            }
            Thread.Sleep(100);
        }
        foreach (FaultClient client in pending)
            Note($"{client.Label}: no {what} within {ClientOutcome.Seconds(timeout)}");
    }
}

/// <summary>
/// The collection's shared set-up: the fault cluster, managed-cephfuse and ceph-fuse mounted on it with their
/// workloads running all through the suite, and the results file. Faults run one after another on it.
/// </summary>
public sealed class FaultRig : IDisposable
{
    private static readonly TimeSpan BaselineTimeout = TimeSpan.FromSeconds(30);
    private readonly ResultsFile _results = new();

    public FaultRig()
    {
        try
        {
            Cluster = new FaultCluster();
            // network groups named after the cluster's mon port: two suites on one machine never share one
            string prefix = "f" + Cluster.Env.MonV1.Split(':')[^1];
            Managed = FaultClient.Managed(Cluster, prefix);
            CephFuse = FaultClient.CephFuse(Cluster, prefix);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    internal FaultCluster Cluster { get; } = null!;

    internal FaultClient Managed { get; } = null!;

    internal FaultClient CephFuse { get; } = null!;

    internal FaultClient[] Clients => [Managed, CephFuse];

    internal FaultOutcome Run(Scenario scenario, ITestOutputHelper output)
    {
        foreach (FaultClient client in Clients)
            client.RestoreNetwork();
        Cluster.EnsureHealthy(scenario.Standbys);
        var run = new FaultRun(this, new Window(scenario.Name, Managed.Label), new Window(scenario.Name, CephFuse.Label));
        try
        {
            scenario.Prepare?.Invoke(run);
            foreach (FaultClient client in Clients)
                StartWindow(client, run.WindowOf(client));
            var clock = Stopwatch.StartNew();
            scenario.Inject(run);
            TimeSpan causeOver = clock.Elapsed;
            var marks = Clients.ToDictionary(c => c, c => run.WindowOf(c).Mark());
            var recoveredAfter = new Dictionary<FaultClient, TimeSpan>();
            var recovery = Stopwatch.StartNew();
            while (recoveredAfter.Count < Clients.Length && recovery.Elapsed < scenario.RecoveryTimeout)
            {
                foreach (FaultClient client in Clients)
                {
                    if (!recoveredAfter.ContainsKey(client) && run.WindowOf(client).ProgressedSince(marks[client], 3))
                        recoveredAfter[client] = recovery.Elapsed;
                }
                Thread.Sleep(50);
            }
            Thread.Sleep(1000);
            long end = Stopwatch.GetTimestamp();
            run.Note($"cause over after {ClientOutcome.Seconds(causeOver)}");
            var outcomes = new Dictionary<FaultClient, ClientOutcome>();
            foreach (FaultClient client in Clients)
            {
                Window window = run.WindowOf(client);
                bool recovered = recoveredAfter.TryGetValue(client, out TimeSpan after);
                outcomes[client] = new ClientOutcome(client.Label, Merge(window), window.DurableBlocks, 0, window.CorruptReads,
                    window.Writes.LongestGap(end), window.Metadata.LongestGap(end), recovered, recovered ? after : null, !recovered);
            }
            foreach (FaultClient client in Clients)
            {
                if (!outcomes[client].Recovered)
                    client.Remount();
            }
            foreach (FaultClient client in Clients)
            {
                Window window = run.WindowOf(client);
                outcomes[client] = outcomes[client] with { LostBlocks = Verify(run.PeerOf(client), window, run) };
            }
            var outcome = new FaultOutcome(scenario.Name, scenario.What, outcomes[Managed], outcomes[CephFuse], run.Notes);
            _results.Add(outcome);
            output.WriteLine(ResultsFile.Row(outcome));
            output.WriteLine(outcome.Notes);
            return outcome;
        }
        finally
        {
            scenario.Cleanup?.Invoke(run);
        }
    }

    /// <summary>Gives the client its window and waits for the baseline (3 writes and 3 metadata steps); a client
    /// that cannot make it is remounted once.</summary>
    private static void StartWindow(FaultClient client, Window window)
    {
        for (int attempt = 0; ; attempt++)
        {
            var mark = window.Mark();
            client.Workload.Begin(window);
            var clock = Stopwatch.StartNew();
            while (!window.ProgressedSince(mark, 3) && clock.Elapsed < BaselineTimeout)
                Thread.Sleep(50);
            if (window.ProgressedSince(mark, 3))
                return;
            if (attempt > 0)
                throw new InvalidOperationException($"{client.Label} makes no progress before the fault, even after a remount");
            client.Remount();
        }
    }

    private static Dictionary<string, int> Merge(Window window)
    {
        var all = new Dictionary<string, int>();
        foreach (OperationLog log in new[] { window.Writes, window.Reads, window.Metadata })
        {
            foreach ((string key, int count) in log.Errors())
                all[key] = count;
        }
        return all;
    }

    /// <summary>The writer's fsync'd blocks read back through <paramref name="reader"/> (the other client): how many
    /// are not intact. The file is removed afterwards (the full fault needs the space).</summary>
    private static long Verify(FaultClient reader, Window window, FaultRun run)
    {
        long durable = window.DurableBlocks;
        string path = reader[window.DataFile];
        var check = Task.Run(() =>
        {
            int fd = Posix.Open(path, Posix.O_RDONLY | Posix.O_CLOEXEC);
            if (fd < 0)
            {
                run.Note($"{window.Directory}: open through {reader.Label}: {Posix.ErrnoName(Posix.Errno)}");
                return durable;
            }
            var block = new byte[Blocks.Size];
            long lost = 0;
            for (long i = 0; i < durable; i++)
            {
                int n = Posix.PRead(fd, block, i * Blocks.Size);
                if (n != Blocks.Size || !Blocks.IsIntact(block, window.Tag, i))
                    lost++;
            }
            Posix.Close(fd);
            Posix.Unlink(path);
            return lost;
        });
        if (!check.Wait(TimeSpan.FromSeconds(60)))
            throw new TimeoutException($"reading {path} back through {reader.Label} hangs");
        return check.Result;
    }

    public void Dispose()
    {
        foreach (FaultClient? client in new[] { Managed, CephFuse })
            client?.Dispose();
        Cluster?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class FaultSuite : ICollectionFixture<FaultRig>
{
    public const string Name = "Faults";
}
