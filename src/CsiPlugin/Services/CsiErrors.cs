using Grpc.Core;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.CsiPlugin.Core;

namespace ManagedCephFuse.CsiPlugin.Services;

/// <summary>
/// The gRPC errors the driver answers with: the services' own (request validation) and the mapping of the
/// core's <see cref="CoreException"/>s and of Ceph errors onto codes — done here, at the service edge, only.
/// </summary>
internal static class CsiErrors
{
    public static RpcException InvalidArgument(string message) => new(new Status(StatusCode.InvalidArgument, message));
    public static RpcException NotFound(string message) => new(new Status(StatusCode.NotFound, message));
    public static RpcException FailedPrecondition(string message) => new(new Status(StatusCode.FailedPrecondition, message));
    public static RpcException Internal(string message) => new(new Status(StatusCode.Internal, message));
    public static RpcException OutOfRange(string message) => new(new Status(StatusCode.OutOfRange, message));
    public static RpcException AlreadyExists(string message) => new(new Status(StatusCode.AlreadyExists, message));
    public static RpcException Aborted(string message) => new(new Status(StatusCode.Aborted, message));

    /// <summary>ceph-csi's text for a busy volume, snapshot or name (<c>VolumeOperationAlreadyExistsFmt</c>, <c>SnapshotOperation…</c>).</summary>
    public static RpcException OperationPending(string id, string kind = "Volume") =>
        new(new Status(StatusCode.Aborted, $"an operation with the given {kind} ID {id} already exists"));

    /// <summary>The code of a failure below the services.</summary>
    public static RpcException FromCore(CoreException e) => e.Failure switch
    {
        Failure.InvalidInput => InvalidArgument(e.Message),
        Failure.NotFound => NotFound(e.Message),
        Failure.Conflict => AlreadyExists(e.Message),
        Failure.NotReady => Aborted(e.Message),
        Failure.Precondition => FailedPrecondition(e.Message),
        Failure.Cluster when e.InnerException is CephException ceph => FromCeph(ceph, e.What),
        _ => Internal(e.Message),
    };

    /// <summary>Maps a failure to reach or use the cluster to a code an operator can act on.</summary>
    public static RpcException FromCeph(CephException e, string what) => e.Errno switch
    {
        Errno.ETIMEDOUT or Errno.ECONNREFUSED or Errno.ENOTCONN =>
            new(new Status(StatusCode.Unavailable, $"{what}: Ceph cluster unreachable: {e.Message}")),
        Errno.EACCES or Errno.EPERM when e.Call == "rados_connect" =>
            new(new Status(StatusCode.PermissionDenied, $"{what}: authentication failed, check the id and key secrets: {e.Message}")),
        Errno.EACCES or Errno.EPERM =>
            new(new Status(StatusCode.PermissionDenied, $"{what}: permission denied, check the client's caps: {e.Message}")),
        Errno.EINVAL when e.Call == "rados_conf_set" =>
            new(new Status(StatusCode.InvalidArgument, $"{what}: malformed key secret: {e.Message}")),
        _ => new(new Status(StatusCode.Internal, $"{what}: {e.Message}")),
    };
}
