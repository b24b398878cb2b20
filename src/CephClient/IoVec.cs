using System.Runtime.InteropServices;

namespace ManagedCephFuse.CephClient;

/// <summary><c>struct iovec</c>: one buffer of a vectored read or write. The memory must stay pinned during the call.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct IoVec
{
    /// <summary>iov_base.</summary>
    public void* Base;
    /// <summary>iov_len.</summary>
    public nuint Length;

    public IoVec(void* @base, nuint length)
    {
        Base = @base;
        Length = length;
    }
}
