using ManagedCephFuse.CephClient;

namespace ManagedCephFuse.CsiPlugin.Core;

/// <summary>What went wrong below the services, in the driver's terms; the services turn it into a gRPC code.</summary>
internal enum Failure
{
    /// <summary>A parameter, secret or configuration the driver or the cluster cannot use.</summary>
    InvalidInput,

    /// <summary>A volume, snapshot, file system or path that is not there.</summary>
    NotFound,

    /// <summary>A name already in use for something else (another size, another source).</summary>
    Conflict,

    /// <summary>Not done yet (a clone in progress); the same request later will finish it.</summary>
    NotReady,

    /// <summary>The present state forbids it (snapshots left, pending clones, no kernel client).</summary>
    Precondition,

    /// <summary>The cluster refused or could not be reached; <see cref="Exception.InnerException"/> is the <see cref="CephException"/>.</summary>
    Cluster,

    /// <summary>Anything else: a failed mount command, an inconsistent journal.</summary>
    Internal,
}

/// <summary>
/// The one exception type the core, the store and the mounters throw (ceph-csi's <c>cephfs/errors</c>): a
/// <see cref="Failure"/> and a message that says what was being done. Never carries secrets.
/// </summary>
internal sealed class CoreException : Exception
{
    public CoreException(Failure failure, string message, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
        What = message;
    }

    private CoreException(string what, CephException inner)
        : base($"{what}: {inner.Message}", inner)
    {
        Failure = Failure.Cluster;
        What = what;
    }

    public Failure Failure { get; }

    /// <summary>What was being done (for <see cref="Failure.Cluster"/>, the message without the Ceph error).</summary>
    public string What { get; }

    /// <summary>A Ceph call failed while doing <paramref name="what"/>.</summary>
    public static CoreException Ceph(CephException e, string what) => new(what, e);

    public static CoreException InvalidInput(string message) => new(Failure.InvalidInput, message);
    public static CoreException NotFound(string message) => new(Failure.NotFound, message);
    public static CoreException Precondition(string message) => new(Failure.Precondition, message);
    public static CoreException Internal(string message) => new(Failure.Internal, message);
}
