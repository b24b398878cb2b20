using Grpc.Core;
using ManagedCephFuse.CephClient;

namespace ManagedCephFuse.CsiPlugin.Util;

/// <summary>The gRPC errors the driver answers with, and the mapping of Ceph errors onto them.</summary>
internal static class CsiErrors
{
    public static RpcException InvalidArgument(string message) => new(new Status(StatusCode.InvalidArgument, message));
    public static RpcException NotFound(string message) => new(new Status(StatusCode.NotFound, message));
    public static RpcException FailedPrecondition(string message) => new(new Status(StatusCode.FailedPrecondition, message));
    public static RpcException Internal(string message) => new(new Status(StatusCode.Internal, message));
    public static RpcException OutOfRange(string message) => new(new Status(StatusCode.OutOfRange, message));
    public static RpcException AlreadyExists(string message) => new(new Status(StatusCode.AlreadyExists, message));

    /// <summary>ceph-csi's text for a busy volume or name (<c>VolumeOperationAlreadyExistsFmt</c>).</summary>
    public static RpcException OperationPending(string id) =>
        new(new Status(StatusCode.Aborted, $"an operation with the given Volume ID {id} already exists"));

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
