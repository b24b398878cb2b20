using System.Globalization;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.CephDirect;

// ceph-direct: mounts CephFS with libcephfs once, then runs the bench's operations as the runner asks for
// them, one per line on stdin, answering one line each on stdout. It lives as long as a FUSE daemon would
// (the runner measures its CPU time and peak RSS like a daemon's) and is restarted for a cold cache.
//
//   ceph-direct --conf CEPH_CONF --id CLIENT_ID --root /DIR [--set name=value]...
//   (debug_client, debug_objectcacher and debug_objecter are 0/0 unless --set: the daemon's defaults)
//
// Protocol (paths relative to --root, sizes in bytes):
//   -> ready                                    once mounted (or "error MESSAGE" and exit 1)
//   <- seqwrite FILE SIZE BS | seqread FILE BS
//   <- randread|randwrite FILE BS JOBS SECONDS direct|buffered
//   <- create|stat|unlink DIR COUNT | smallwrite|smallread DIR COUNT SIZE | listlong DIR
//   <- filesize FILE | remove PATH | quit
//   -> ok ops=N bytes=N seconds=S               (filesize: bytes = size, -1 when missing)
//   -> error MESSAGE

string? conf = null, id = null, root = null;
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw Usage($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--conf": conf = Value(); break;
        case "--id": id = Value(); break;
        case "--root": root = Value(); break;
        case "--set":
            string pair = Value();
            int eq = pair.IndexOf('=');
            if (eq <= 0)
                throw Usage($"--set {pair}: expected name=value");
            options[pair[..eq]] = pair[(eq + 1)..];
            break;
        default: throw Usage($"unknown argument {args[i]}");
    }
}
if (conf is null || root is null)
    throw Usage("--conf and --root are required");
// managed-cephfuse turns libcephfs's in-memory debug log off (CephFsBackend): so does the limit it is compared with,
// so that "x direct" compares the paths to the cluster, not a log setting. --set debug_client=0/5 measures Ceph's.
foreach (string subsystem in (string[])["debug_client", "debug_objectcacher", "debug_objecter"])
    options.TryAdd(subsystem, "0/0");

CephMount mount;
DirectFs fs;
try
{
    mount = CephMount.Connect(new CephMountOptions { ConfigFile = conf, Id = id, Options = options });
    fs = new DirectFs(mount, root);
}
catch (Exception e) when (e is CephException or DirectFailure)
{
    Console.WriteLine($"error {e.Message}");
    return 1;
}

using (mount)
{
    Console.WriteLine("ready");
    while (Console.ReadLine() is { } line)
    {
        string[] w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (w.Length == 0)
            continue;
        if (w is ["quit"])
            break;
        string answer;
        try
        {
            answer = Run(fs, w).ToString();
        }
        catch (Exception e) when (e is DirectFailure or CephException or FormatException or OverflowException)
        {
            answer = $"error {e.Message}";
        }
        Console.WriteLine(answer.ReplaceLineEndings(" "));
    }
}
return 0;

static OpResult Run(DirectFs fs, string[] w) => w switch
{
    ["seqwrite", var file, var size, var bs] => fs.SequentialWrite(file, Long(size), Int(bs)),
    ["seqread", var file, var bs] => fs.SequentialRead(file, Int(bs)),
    ["randread" or "randwrite", var file, var bs, var jobs, var seconds, "direct" or "buffered"] =>
        fs.RandomIo(file, Int(bs), Int(jobs), double.Parse(seconds, CultureInfo.InvariantCulture),
            write: w[0] == "randwrite", direct: w[5] == "direct"),
    ["create", var dir, var count] => fs.CreateFiles(dir, Int(count)),
    ["stat", var dir, var count] => fs.StatFiles(dir, Int(count)),
    ["unlink", var dir, var count] => fs.UnlinkFiles(dir, Int(count)),
    ["smallwrite", var dir, var count, var size] => fs.WriteSmallFiles(dir, Int(count), Int(size)),
    ["smallread", var dir, var count, var size] => fs.ReadSmallFiles(dir, Int(count), Int(size)),
    ["listlong", var dir] => fs.ListLong(dir),
    ["filesize", var file] => new OpResult(1, fs.FileSize(file), 0),
    ["remove", var path] => fs.Remove(path),
    _ => throw new FormatException($"unknown request: {string.Join(' ', w)}"),
};

static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
static long Long(string text) => long.Parse(text, CultureInfo.InvariantCulture);

static ArgumentException Usage(string problem)
{
    Console.Error.WriteLine($"ceph-direct: {problem}");
    Console.Error.WriteLine("usage: ceph-direct --conf CEPH_CONF [--id CLIENT_ID] --root /DIR [--set name=value]...");
    Environment.Exit(2);
    return new ArgumentException(problem);
}
