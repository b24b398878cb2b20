using System.Runtime.InteropServices;

namespace ManagedCephFuse.CephClient.Native;

/// <summary>
/// P/Invokes into Debian's <c>libcephfs.so.2</c> (Ceph 16.2 Pacific), one per exported C function we use,
/// each under the C declaration from <c>/usr/include/cephfs/libcephfs.h</c> it mirrors.
/// Pointer types: <c>ceph_mount_info*</c> is <see cref="nint"/> (or the owning <see cref="CephMountHandle"/>
/// for the lifecycle calls), <c>Inode*</c>/<c>Fh*</c>/<c>ceph_dir_result*</c>/<c>UserPerm*</c> are the
/// one-pointer structs <see cref="InodePtr"/>, <see cref="FhPtr"/>, <see cref="DirPtr"/>, <see cref="UserPermPtr"/>
/// (ABI-identical to a pointer). Names on the hot path are NUL-terminated UTF-8 <c>byte*</c>.
/// </summary>
internal static unsafe partial class LibCephFs
{
    private const string Lib = "libcephfs.so.2";

    // ---- setup, configuration, teardown -------------------------------------------------------------

    // const char *ceph_version(int *major, int *minor, int *patch);
    [LibraryImport(Lib)]
    internal static partial byte* ceph_version(int* major, int* minor, int* patch);

    // int ceph_create(struct ceph_mount_info **cmount, const char * const id);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ceph_create(out CephMountHandle cmount, string? id);

    // int ceph_init(struct ceph_mount_info *cmount);
    [LibraryImport(Lib)]
    internal static partial int ceph_init(CephMountHandle cmount);

    // int ceph_conf_read_file(struct ceph_mount_info *cmount, const char *path_list);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ceph_conf_read_file(CephMountHandle cmount, string? pathList);

    // int ceph_conf_parse_argv(struct ceph_mount_info *cmount, int argc, const char **argv);
    [LibraryImport(Lib)]
    internal static partial int ceph_conf_parse_argv(CephMountHandle cmount, int argc, byte** argv);

    // int ceph_conf_parse_env(struct ceph_mount_info *cmount, const char *var);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ceph_conf_parse_env(CephMountHandle cmount, string? var);

    // int ceph_conf_set(struct ceph_mount_info *cmount, const char *option, const char *value);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ceph_conf_set(CephMountHandle cmount, string option, string value);

    // int ceph_conf_get(struct ceph_mount_info *cmount, const char *option, char *buf, size_t len);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ceph_conf_get(CephMountHandle cmount, string option, byte* buf, nuint len);

    // int ceph_set_mount_timeout(struct ceph_mount_info *cmount, uint32_t timeout);
    [LibraryImport(Lib)]
    internal static partial int ceph_set_mount_timeout(CephMountHandle cmount, uint timeout);

    // int ceph_select_filesystem(struct ceph_mount_info *cmount, const char *fs_name);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ceph_select_filesystem(CephMountHandle cmount, string fsName);

    // int ceph_mount(struct ceph_mount_info *cmount, const char *root);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ceph_mount(CephMountHandle cmount, string? root);

    // int ceph_is_mounted(struct ceph_mount_info *cmount);
    [LibraryImport(Lib)]
    internal static partial int ceph_is_mounted(nint cmount);

    // int64_t ceph_get_fs_cid(struct ceph_mount_info *cmount);
    [LibraryImport(Lib)]
    internal static partial long ceph_get_fs_cid(CephMountHandle cmount);

    // uint64_t ceph_get_instance_id(struct ceph_mount_info *cmount);
    [LibraryImport(Lib)]
    internal static partial ulong ceph_get_instance_id(CephMountHandle cmount);

    // struct UserPerm *ceph_mount_perms(struct ceph_mount_info *cmount);
    [LibraryImport(Lib)]
    internal static partial UserPermPtr ceph_mount_perms(nint cmount);

    // int ceph_unmount(struct ceph_mount_info *cmount);
    [LibraryImport(Lib)]
    internal static partial int ceph_unmount(nint cmount);

    // int ceph_abort_conn(struct ceph_mount_info *cmount);
    [LibraryImport(Lib)]
    internal static partial int ceph_abort_conn(nint cmount);

    // int ceph_release(struct ceph_mount_info *cmount);
    [LibraryImport(Lib)]
    internal static partial int ceph_release(nint cmount);

    // int ceph_statfs(struct ceph_mount_info *cmount, const char *path, struct statvfs *stbuf);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ceph_statfs(CephMountHandle cmount, string path, StatVfs* stbuf);

    // int ceph_sync_fs(struct ceph_mount_info *cmount);
    [LibraryImport(Lib)]
    internal static partial int ceph_sync_fs(nint cmount);

    // void ceph_ll_register_callbacks(struct ceph_mount_info *cmount, struct ceph_client_callback_args *args);
    [LibraryImport(Lib)]
    internal static partial void ceph_ll_register_callbacks(CephMountHandle cmount, CephClientCallbackArgs* args);

    // ---- credentials --------------------------------------------------------------------------------

    // UserPerm *ceph_userperm_new(uid_t uid, gid_t gid, int ngids, gid_t *gidlist);
    [LibraryImport(Lib)]
    internal static partial UserPermPtr ceph_userperm_new(uint uid, uint gid, int ngids, uint* gidlist);

    // void ceph_userperm_destroy(UserPerm *perm);
    [LibraryImport(Lib)]
    internal static partial void ceph_userperm_destroy(UserPermPtr perm);

    // ---- inode references ---------------------------------------------------------------------------

    // int ceph_ll_lookup_root(struct ceph_mount_info *cmount, Inode **parent);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_lookup_root(nint cmount, InodePtr* parent);

    // int ceph_ll_lookup(struct ceph_mount_info *cmount, Inode *parent, const char *name, Inode **out,
    //                    struct ceph_statx *stx, unsigned want, unsigned flags, const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_lookup(nint cmount, InodePtr parent, byte* name, InodePtr* @out,
        CephStatx* stx, uint want, uint flags, UserPermPtr perms);

    // int ceph_ll_lookup_inode(struct ceph_mount_info *cmount, struct inodeno_t ino, Inode **inode);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_lookup_inode(nint cmount, InodeNo ino, InodePtr* inode);

    // int ceph_ll_lookup_vino(struct ceph_mount_info *cmount, vinodeno_t vino, Inode **inode);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_lookup_vino(nint cmount, VInodeNo vino, InodePtr* inode);

    // struct Inode *ceph_ll_get_inode(struct ceph_mount_info *cmount, vinodeno_t vino);
    [LibraryImport(Lib)]
    internal static partial InodePtr ceph_ll_get_inode(nint cmount, VInodeNo vino);

    // int ceph_ll_walk(struct ceph_mount_info *cmount, const char* name, Inode **i, struct ceph_statx *stx,
    //                  unsigned int want, unsigned int flags, const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_walk(nint cmount, byte* name, InodePtr* i, CephStatx* stx,
        uint want, uint flags, UserPermPtr perms);

    // int ceph_ll_put(struct ceph_mount_info *cmount, struct Inode *in);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_put(nint cmount, InodePtr @in);

    // int ceph_ll_forget(struct ceph_mount_info *cmount, struct Inode *in, int count);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_forget(nint cmount, InodePtr @in, int count);

    // uint64_t ceph_ll_snap_seq(struct ceph_mount_info *cmount, struct Inode *in);
    [LibraryImport(Lib)]
    internal static partial ulong ceph_ll_snap_seq(nint cmount, InodePtr @in);

    // uint32_t ceph_ll_file_layout(struct ceph_mount_info *cmount, struct Inode *in,
    //                              struct ceph_file_layout *layout);
    [LibraryImport(Lib)]
    internal static partial uint ceph_ll_file_layout(nint cmount, InodePtr @in, CephFileLayout* layout);

    // ---- attributes ---------------------------------------------------------------------------------

    // int ceph_ll_getattr(struct ceph_mount_info *cmount, struct Inode *in, struct ceph_statx *stx,
    //                     unsigned int want, unsigned int flags, const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_getattr(nint cmount, InodePtr @in, CephStatx* stx, uint want, uint flags,
        UserPermPtr perms);

    // int ceph_ll_setattr(struct ceph_mount_info *cmount, struct Inode *in, struct ceph_statx *stx, int mask,
    //                     const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_setattr(nint cmount, InodePtr @in, CephStatx* stx, int mask, UserPermPtr perms);

    // int ceph_ll_statfs(struct ceph_mount_info *cmount, struct Inode *in, struct statvfs *stbuf);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_statfs(nint cmount, InodePtr @in, StatVfs* stbuf);

    // ---- namespace ----------------------------------------------------------------------------------

    // int ceph_ll_create(struct ceph_mount_info *cmount, Inode *parent, const char *name, mode_t mode,
    //                    int oflags, Inode **outp, Fh **fhp, struct ceph_statx *stx, unsigned want,
    //                    unsigned lflags, const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_create(nint cmount, InodePtr parent, byte* name, uint mode, int oflags,
        InodePtr* outp, FhPtr* fhp, CephStatx* stx, uint want, uint lflags, UserPermPtr perms);

    // int ceph_ll_mknod(struct ceph_mount_info *cmount, Inode *parent, const char *name, mode_t mode,
    //                   dev_t rdev, Inode **out, struct ceph_statx *stx, unsigned want, unsigned flags,
    //                   const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_mknod(nint cmount, InodePtr parent, byte* name, uint mode, ulong rdev,
        InodePtr* @out, CephStatx* stx, uint want, uint flags, UserPermPtr perms);

    // int ceph_ll_mkdir(struct ceph_mount_info *cmount, Inode *parent, const char *name, mode_t mode,
    //                   Inode **out, struct ceph_statx *stx, unsigned want, unsigned flags,
    //                   const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_mkdir(nint cmount, InodePtr parent, byte* name, uint mode, InodePtr* @out,
        CephStatx* stx, uint want, uint flags, UserPermPtr perms);

    // int ceph_ll_symlink(struct ceph_mount_info *cmount, Inode *in, const char *name, const char *value,
    //                     Inode **out, struct ceph_statx *stx, unsigned want, unsigned flags,
    //                     const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_symlink(nint cmount, InodePtr @in, byte* name, byte* value, InodePtr* @out,
        CephStatx* stx, uint want, uint flags, UserPermPtr perms);

    // int ceph_ll_readlink(struct ceph_mount_info *cmount, struct Inode *in, char *buf, size_t bufsize,
    //                      const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_readlink(nint cmount, InodePtr @in, byte* buf, nuint bufsize, UserPermPtr perms);

    // int ceph_ll_link(struct ceph_mount_info *cmount, struct Inode *in, struct Inode *newparent,
    //                  const char *name, const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_link(nint cmount, InodePtr @in, InodePtr newparent, byte* name, UserPermPtr perms);

    // int ceph_ll_unlink(struct ceph_mount_info *cmount, struct Inode *in, const char *name,
    //                    const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_unlink(nint cmount, InodePtr @in, byte* name, UserPermPtr perms);

    // int ceph_ll_rmdir(struct ceph_mount_info *cmount, struct Inode *in, const char *name,
    //                   const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_rmdir(nint cmount, InodePtr @in, byte* name, UserPermPtr perms);

    // int ceph_ll_rename(struct ceph_mount_info *cmount, struct Inode *parent, const char *name,
    //                    struct Inode *newparent, const char *newname, const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_rename(nint cmount, InodePtr parent, byte* name, InodePtr newparent,
        byte* newname, UserPermPtr perms);

    // ---- files --------------------------------------------------------------------------------------

    // int ceph_ll_open(struct ceph_mount_info *cmount, struct Inode *in, int flags, struct Fh **fh,
    //                  const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_open(nint cmount, InodePtr @in, int flags, FhPtr* fh, UserPermPtr perms);

    // int ceph_ll_read(struct ceph_mount_info *cmount, struct Fh* filehandle, int64_t off, uint64_t len,
    //                  char* buf);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_read(nint cmount, FhPtr filehandle, long off, ulong len, byte* buf);

    // int ceph_ll_write(struct ceph_mount_info *cmount, struct Fh* filehandle, int64_t off, uint64_t len,
    //                   const char *data);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_write(nint cmount, FhPtr filehandle, long off, ulong len, byte* data);

    // int64_t ceph_ll_readv(struct ceph_mount_info *cmount, struct Fh *fh, const struct iovec *iov,
    //                       int iovcnt, int64_t off);
    [LibraryImport(Lib)]
    internal static partial long ceph_ll_readv(nint cmount, FhPtr fh, IoVec* iov, int iovcnt, long off);

    // int64_t ceph_ll_writev(struct ceph_mount_info *cmount, struct Fh *fh, const struct iovec *iov,
    //                        int iovcnt, int64_t off);
    [LibraryImport(Lib)]
    internal static partial long ceph_ll_writev(nint cmount, FhPtr fh, IoVec* iov, int iovcnt, long off);

    // off_t ceph_ll_lseek(struct ceph_mount_info *cmount, struct Fh* filehandle, off_t offset, int whence);
    [LibraryImport(Lib)]
    internal static partial long ceph_ll_lseek(nint cmount, FhPtr filehandle, long offset, int whence);

    // int ceph_ll_fsync(struct ceph_mount_info *cmount, struct Fh *fh, int syncdataonly);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_fsync(nint cmount, FhPtr fh, int syncdataonly);

    // int ceph_ll_sync_inode(struct ceph_mount_info *cmount, struct Inode *in, int syncdataonly);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_sync_inode(nint cmount, InodePtr @in, int syncdataonly);

    // int ceph_ll_fallocate(struct ceph_mount_info *cmount, struct Fh *fh, int mode, int64_t offset,
    //                       int64_t length);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_fallocate(nint cmount, FhPtr fh, int mode, long offset, long length);

    // int ceph_ll_close(struct ceph_mount_info *cmount, struct Fh* filehandle);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_close(nint cmount, FhPtr filehandle);

    // int ceph_ll_getlk(struct ceph_mount_info *cmount, Fh *fh, struct flock *fl, uint64_t owner);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_getlk(nint cmount, FhPtr fh, Flock* fl, ulong owner);

    // int ceph_ll_setlk(struct ceph_mount_info *cmount, Fh *fh, struct flock *fl, uint64_t owner, int sleep);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_setlk(nint cmount, FhPtr fh, Flock* fl, ulong owner, int sleep);

    // ---- directories --------------------------------------------------------------------------------

    // int ceph_ll_opendir(struct ceph_mount_info *cmount, struct Inode *in, struct ceph_dir_result **dirpp,
    //                     const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_opendir(nint cmount, InodePtr @in, DirPtr* dirpp, UserPermPtr perms);

    // int ceph_readdirplus_r(struct ceph_mount_info *cmount, struct ceph_dir_result *dirp, struct dirent *de,
    //                        struct ceph_statx *stx, unsigned want, unsigned flags, struct Inode **out);
    [LibraryImport(Lib)]
    internal static partial int ceph_readdirplus_r(nint cmount, DirPtr dirp, Dirent* de, CephStatx* stx,
        uint want, uint flags, InodePtr* @out);

    // int64_t ceph_telldir(struct ceph_mount_info *cmount, struct ceph_dir_result *dirp);
    [LibraryImport(Lib)]
    internal static partial long ceph_telldir(nint cmount, DirPtr dirp);

    // void ceph_seekdir(struct ceph_mount_info *cmount, struct ceph_dir_result *dirp, int64_t offset);
    [LibraryImport(Lib)]
    internal static partial void ceph_seekdir(nint cmount, DirPtr dirp, long offset);

    // int ceph_ll_releasedir(struct ceph_mount_info *cmount, struct ceph_dir_result* dir);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_releasedir(nint cmount, DirPtr dir);

    // ---- extended attributes ------------------------------------------------------------------------

    // int ceph_ll_getxattr(struct ceph_mount_info *cmount, struct Inode *in, const char *name, void *value,
    //                      size_t size, const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_getxattr(nint cmount, InodePtr @in, byte* name, byte* value, nuint size,
        UserPermPtr perms);

    // int ceph_ll_setxattr(struct ceph_mount_info *cmount, struct Inode *in, const char *name,
    //                      const void *value, size_t size, int flags, const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_setxattr(nint cmount, InodePtr @in, byte* name, byte* value, nuint size,
        int flags, UserPermPtr perms);

    // int ceph_ll_listxattr(struct ceph_mount_info *cmount, struct Inode *in, char *list, size_t buf_size,
    //                       size_t *list_size, const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_listxattr(nint cmount, InodePtr @in, byte* list, nuint bufSize,
        nuint* listSize, UserPermPtr perms);

    // int ceph_ll_removexattr(struct ceph_mount_info *cmount, struct Inode *in, const char *name,
    //                         const UserPerm *perms);
    [LibraryImport(Lib)]
    internal static partial int ceph_ll_removexattr(nint cmount, InodePtr @in, byte* name, UserPermPtr perms);
}
