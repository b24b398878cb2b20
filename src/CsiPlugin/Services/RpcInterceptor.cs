using System.Diagnostics;
using Grpc.Core.Interceptors;
using Grpc.Core;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.CsiPlugin.Core;
using ManagedCephFuse.CsiPlugin.Logging;
using ManagedCephFuse.CsiPlugin.Metrics;
using Microsoft.Extensions.Logging;

namespace ManagedCephFuse.CsiPlugin.Services;

/// <summary>
/// Around every RPC: counts and times it (<see cref="RpcMetrics"/>), logs the outcome (method, code, time,
/// the error text — never a request, so never a secret), and gives the core's failures and unexpected exceptions their gRPC codes.
/// </summary>
internal sealed class RpcInterceptor(RpcMetrics metrics, ILogger<RpcInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request,
        ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        string method = context.Method;
        metrics.Started(method);
        long started = Stopwatch.GetTimestamp();
        StatusCode code = StatusCode.OK;
        try
        {
            var response = await continuation(request, context).ConfigureAwait(false);
            Log.RpcDone(logger, method, "OK", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return response;
        }
        catch (RpcException e)
        {
            code = e.StatusCode;
            Log.RpcFailed(logger, method, code.ToString(), Stopwatch.GetElapsedTime(started).TotalMilliseconds, e.Status.Detail);
            throw;
        }
        catch (CoreException e)
        {
            var mapped = CsiErrors.FromCore(e);
            code = mapped.StatusCode;
            Log.RpcFailed(logger, method, code.ToString(), Stopwatch.GetElapsedTime(started).TotalMilliseconds, mapped.Status.Detail);
            throw mapped;
        }
        catch (CephException e)
        {
            var mapped = CsiErrors.FromCeph(e, method);
            code = mapped.StatusCode;
            Log.RpcFailed(logger, method, code.ToString(), Stopwatch.GetElapsedTime(started).TotalMilliseconds, mapped.Status.Detail);
            throw mapped;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            code = StatusCode.Cancelled;
            throw new RpcException(new Status(StatusCode.Cancelled, $"{method} cancelled by the caller"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException or InvalidOperationException)
        {
            code = StatusCode.Internal;
            Log.RpcFailed(logger, method, code.ToString(), Stopwatch.GetElapsedTime(started).TotalMilliseconds, e.Message);
            throw new RpcException(new Status(StatusCode.Internal, $"{method}: {e.Message}"));
        }
        catch (Exception e)
        {
            code = StatusCode.Internal;
            Log.RpcCrashed(logger, e, method);
            throw new RpcException(new Status(StatusCode.Internal, $"{method}: internal error: {e.GetType().Name}: {e.Message}"));
        }
        finally
        {
            metrics.Finished(method, code.ToString(), Stopwatch.GetElapsedTime(started));
        }
    }
}
