using System.Runtime.InteropServices;

namespace ManagedCephFuse.CephClient.Rados;

/// <summary>
/// P/Invoke declarations for Debian's <c>librados.so.2</c> (Pacific 16.2). Each one mirrors the C signature
/// in <c>/usr/include/rados/librados.h</c> quoted above it. Results are negative errnos; callers map them
/// to <see cref="CephException"/>.
/// </summary>
internal static unsafe partial class RadosNative
{
    private const string Library = "librados.so.2";

    public const int CreateExclusive = 1;   // LIBRADOS_CREATE_EXCLUSIVE
    public const int OperationNoFlag = 0;   // LIBRADOS_OPERATION_NOFLAG

    // int rados_create2(rados_t *pcluster, const char *const clustername, const char * const name, uint64_t flags);
    [LibraryImport(Library, EntryPoint = "rados_create2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Create2(out RadosClusterHandle cluster, string clusterName, string name, ulong flags);

    // int rados_conf_read_file(rados_t cluster, const char *path);
    [LibraryImport(Library, EntryPoint = "rados_conf_read_file", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConfReadFile(RadosClusterHandle cluster, string path);

    // int rados_conf_set(rados_t cluster, const char *option, const char *value);
    [LibraryImport(Library, EntryPoint = "rados_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConfSet(RadosClusterHandle cluster, string option, string value);

    // int rados_conf_get(rados_t cluster, const char *option, char *buf, size_t len);
    [LibraryImport(Library, EntryPoint = "rados_conf_get", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConfGet(RadosClusterHandle cluster, string option, byte* buf, nuint len);

    // int rados_connect(rados_t cluster);
    [LibraryImport(Library, EntryPoint = "rados_connect")]
    public static partial int Connect(RadosClusterHandle cluster);

    // void rados_shutdown(rados_t cluster);
    [LibraryImport(Library, EntryPoint = "rados_shutdown")]
    public static partial void Shutdown(nint cluster);

    // int rados_mon_command(rados_t cluster, const char **cmd, size_t cmdlen, const char *inbuf, size_t inbuflen,
    //                       char **outbuf, size_t *outbuflen, char **outs, size_t *outslen);
    [LibraryImport(Library, EntryPoint = "rados_mon_command")]
    public static partial int MonCommand(RadosClusterHandle cluster, byte** cmd, nuint cmdLen, byte* inBuf, nuint inBufLen,
        byte** outBuf, nuint* outBufLen, byte** outs, nuint* outsLen);

    // int rados_mgr_command(rados_t cluster, const char **cmd, size_t cmdlen, const char *inbuf, size_t inbuflen,
    //                       char **outbuf, size_t *outbuflen, char **outs, size_t *outslen);
    [LibraryImport(Library, EntryPoint = "rados_mgr_command")]
    public static partial int MgrCommand(RadosClusterHandle cluster, byte** cmd, nuint cmdLen, byte* inBuf, nuint inBufLen,
        byte** outBuf, nuint* outBufLen, byte** outs, nuint* outsLen);

    // void rados_buffer_free(char *buf);
    [LibraryImport(Library, EntryPoint = "rados_buffer_free")]
    public static partial void BufferFree(byte* buf);

    // int64_t rados_pool_lookup(rados_t cluster, const char *pool_name);
    [LibraryImport(Library, EntryPoint = "rados_pool_lookup", StringMarshalling = StringMarshalling.Utf8)]
    public static partial long PoolLookup(RadosClusterHandle cluster, string poolName);

    // int rados_ioctx_create(rados_t cluster, const char *pool_name, rados_ioctx_t *ioctx);
    [LibraryImport(Library, EntryPoint = "rados_ioctx_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int IoCtxCreate(RadosClusterHandle cluster, string poolName, out nint ioctx);

    // void rados_ioctx_destroy(rados_ioctx_t io);
    [LibraryImport(Library, EntryPoint = "rados_ioctx_destroy")]
    public static partial void IoCtxDestroy(nint ioctx);

    // void rados_ioctx_set_namespace(rados_ioctx_t io, const char *nspace);
    [LibraryImport(Library, EntryPoint = "rados_ioctx_set_namespace", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void IoCtxSetNamespace(RadosIoContextHandle ioctx, string? nspace);

    // int rados_remove(rados_ioctx_t io, const char *oid);
    [LibraryImport(Library, EntryPoint = "rados_remove", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Remove(RadosIoContextHandle ioctx, string oid);

    // rados_write_op_t rados_create_write_op(void);
    [LibraryImport(Library, EntryPoint = "rados_create_write_op")]
    public static partial RadosWriteOpHandle CreateWriteOp();

    // void rados_release_write_op(rados_write_op_t write_op);
    [LibraryImport(Library, EntryPoint = "rados_release_write_op")]
    public static partial void ReleaseWriteOp(nint writeOp);

    // void rados_write_op_create(rados_write_op_t write_op, int exclusive, const char* category);
    [LibraryImport(Library, EntryPoint = "rados_write_op_create")]
    public static partial void WriteOpCreate(RadosWriteOpHandle writeOp, int exclusive, byte* category);

    // void rados_write_op_remove(rados_write_op_t write_op);
    [LibraryImport(Library, EntryPoint = "rados_write_op_remove")]
    public static partial void WriteOpRemove(RadosWriteOpHandle writeOp);

    // void rados_write_op_omap_set2(rados_write_op_t write_op, char const* const* keys, char const* const* vals,
    //                               const size_t *key_lens, const size_t *val_lens, size_t num);
    [LibraryImport(Library, EntryPoint = "rados_write_op_omap_set2")]
    public static partial void WriteOpOmapSet2(RadosWriteOpHandle writeOp, byte** keys, byte** vals,
        nuint* keyLens, nuint* valLens, nuint num);

    // void rados_write_op_omap_rm_keys2(rados_write_op_t write_op, char const* const* keys,
    //                                   const size_t* key_lens, size_t keys_len);
    [LibraryImport(Library, EntryPoint = "rados_write_op_omap_rm_keys2")]
    public static partial void WriteOpOmapRmKeys2(RadosWriteOpHandle writeOp, byte** keys, nuint* keyLens, nuint keysLen);

    // int rados_write_op_operate(rados_write_op_t write_op, rados_ioctx_t io, const char *oid, time_t *mtime, int flags);
    [LibraryImport(Library, EntryPoint = "rados_write_op_operate", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int WriteOpOperate(RadosWriteOpHandle writeOp, RadosIoContextHandle ioctx, string oid,
        long* mtime, int flags);

    // rados_read_op_t rados_create_read_op(void);
    [LibraryImport(Library, EntryPoint = "rados_create_read_op")]
    public static partial RadosReadOpHandle CreateReadOp();

    // void rados_release_read_op(rados_read_op_t read_op);
    [LibraryImport(Library, EntryPoint = "rados_release_read_op")]
    public static partial void ReleaseReadOp(nint readOp);

    // void rados_read_op_omap_get_vals_by_keys2(rados_read_op_t read_op, char const* const* keys, size_t num_keys,
    //                                           const size_t* key_lens, rados_omap_iter_t *iter, int *prval);
    [LibraryImport(Library, EntryPoint = "rados_read_op_omap_get_vals_by_keys2")]
    public static partial void ReadOpOmapGetValsByKeys2(RadosReadOpHandle readOp, byte** keys, nuint numKeys,
        nuint* keyLens, out nint iter, int* prval);

    // void rados_read_op_omap_get_vals2(rados_read_op_t read_op, const char *start_after, const char *filter_prefix,
    //                                   uint64_t max_return, rados_omap_iter_t *iter, unsigned char *pmore, int *prval);
    [LibraryImport(Library, EntryPoint = "rados_read_op_omap_get_vals2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void ReadOpOmapGetVals2(RadosReadOpHandle readOp, string startAfter, string filterPrefix,
        ulong maxReturn, out nint iter, byte* pmore, int* prval);

    // int rados_read_op_operate(rados_read_op_t read_op, rados_ioctx_t io, const char *oid, int flags);
    [LibraryImport(Library, EntryPoint = "rados_read_op_operate", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ReadOpOperate(RadosReadOpHandle readOp, RadosIoContextHandle ioctx, string oid, int flags);

    // int rados_omap_get_next2(rados_omap_iter_t iter, char **key, char **val, size_t *key_len, size_t *val_len);
    [LibraryImport(Library, EntryPoint = "rados_omap_get_next2")]
    public static partial int OmapGetNext2(RadosOmapIteratorHandle iter, byte** key, byte** val, nuint* keyLen, nuint* valLen);

    // int rados_getxattr(rados_ioctx_t io, const char *o, const char *name, char *buf, size_t len);
    [LibraryImport(Library, EntryPoint = "rados_getxattr", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int GetXattr(RadosIoContextHandle ioctx, string oid, string name, byte* buf, nuint len);

    // uint64_t rados_get_last_version(rados_ioctx_t io);
    [LibraryImport(Library, EntryPoint = "rados_get_last_version")]
    public static partial ulong GetLastVersion(RadosIoContextHandle ioctx);

    // void rados_read_op_assert_version(rados_read_op_t read_op, uint64_t ver);
    [LibraryImport(Library, EntryPoint = "rados_read_op_assert_version")]
    public static partial void ReadOpAssertVersion(RadosReadOpHandle readOp, ulong version);

    // void rados_read_op_read(rados_read_op_t read_op, uint64_t offset, size_t len, char *buffer, size_t *bytes_read, int *prval);
    [LibraryImport(Library, EntryPoint = "rados_read_op_read")]
    public static partial void ReadOpRead(RadosReadOpHandle readOp, ulong offset, nuint len, byte* buffer, nuint* bytesRead, int* prval);

    // void rados_write_op_assert_version(rados_write_op_t write_op, uint64_t ver);
    [LibraryImport(Library, EntryPoint = "rados_write_op_assert_version")]
    public static partial void WriteOpAssertVersion(RadosWriteOpHandle writeOp, ulong version);

    // void rados_write_op_setxattr(rados_write_op_t write_op, const char *name, const char *value, size_t value_len);
    [LibraryImport(Library, EntryPoint = "rados_write_op_setxattr", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void WriteOpSetXattr(RadosWriteOpHandle writeOp, string name, byte* value, nuint valueLen);

    // void rados_write_op_write_full(rados_write_op_t write_op, const char *buffer, size_t len);
    [LibraryImport(Library, EntryPoint = "rados_write_op_write_full")]
    public static partial void WriteOpWriteFull(RadosWriteOpHandle writeOp, byte* buffer, nuint len);

    // void rados_omap_get_end(rados_omap_iter_t iter);
    [LibraryImport(Library, EntryPoint = "rados_omap_get_end")]
    public static partial void OmapGetEnd(nint iter);
}
