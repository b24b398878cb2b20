namespace ManagedCephFuse.CephClient;

/// <summary>
/// A failed libcephfs or librados call: the positive errno, the call and what it was called with,
/// e.g. <c>ENOENT from ceph_ll_lookup("x")</c>. Never carries secrets.
/// </summary>
public sealed class CephException : Exception
{
    public CephException(int errno, string call, string? arguments = null)
        : base(Describe(errno, call, arguments))
    {
        Errno = errno;
        Call = call;
        Arguments = arguments;
    }

    public CephException(int errno, string call, string? arguments, string detail)
        : base($"{Describe(errno, call, arguments)}: {detail}")
    {
        Errno = errno;
        Call = call;
        Arguments = arguments;
    }

    /// <summary>The positive errno (ENOENT = 2, …).</summary>
    public int Errno { get; }

    /// <summary>The native function that failed, e.g. <c>ceph_ll_lookup</c>.</summary>
    public string Call { get; }

    /// <summary>What the call was asked for, as text (a name, a path, a command); null when nothing useful.</summary>
    public string? Arguments { get; }

    /// <summary>Throws when <paramref name="result"/> is a negative errno; returns it otherwise.</summary>
    public static int ThrowIfError(int result, string call, string? arguments = null) =>
        result < 0 ? throw new CephException(-result, call, arguments) : result;

    /// <summary>Throws when <paramref name="result"/> is a negative errno; returns it otherwise.</summary>
    public static long ThrowIfError(long result, string call, string? arguments = null) =>
        result < 0 ? throw new CephException((int)-result, call, arguments) : result;

    private static string Describe(int errno, string call, string? arguments) =>
        $"{CephClient.Errno.Name(errno)} from {call}({arguments}): {CephClient.Errno.Message(errno)}";
}
