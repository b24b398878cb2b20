/*
 * A stand-in for libcephfs.so.2 with the calls the CephFS bridge makes on its hot path (open, read, write,
 * getattr, lookup, readdirplus, release) and just enough of the mount lifecycle to construct it. Every call
 * returns at once: the microbenchmarks measure the bridge (decode, dispatch, handle and node tables,
 * credentials, P/Invoke, reply) without the cluster. Signatures as in <cephfs/libcephfs.h> (Pacific).
 */
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <cephfs/libcephfs.h>

static char fake_mount, fake_perm, fake_fh, fake_dir;
static struct Inode *root = (struct Inode *)0x1000, *child = (struct Inode *)0x2000;

int ceph_create(struct ceph_mount_info **cmount, const char *const id) { (void)id; *cmount = (struct ceph_mount_info *)&fake_mount; return 0; }
int ceph_release(struct ceph_mount_info *cmount) { (void)cmount; return 0; }
UserPerm *ceph_mount_perms(struct ceph_mount_info *cmount) { (void)cmount; return (UserPerm *)&fake_perm; }
int ceph_is_mounted(struct ceph_mount_info *cmount) { (void)cmount; return 1; }
int ceph_mount(struct ceph_mount_info *cmount, const char *root_path) { (void)cmount; (void)root_path; return 0; }
int ceph_unmount(struct ceph_mount_info *cmount) { (void)cmount; return 0; }
int ceph_init(struct ceph_mount_info *cmount) { (void)cmount; return 0; }
int ceph_conf_set(struct ceph_mount_info *cmount, const char *option, const char *value) { (void)cmount; (void)option; (void)value; return 0; }
int ceph_conf_get(struct ceph_mount_info *cmount, const char *option, char *buf, size_t len)
{
    (void)cmount; (void)option;
    if (len == 0) return -ENAMETOOLONG;
    buf[0] = 0;
    return 0;
}
void ceph_ll_register_callbacks(struct ceph_mount_info *cmount, struct ceph_client_callback_args *args) { (void)cmount; (void)args; }
UserPerm *ceph_userperm_new(uid_t uid, gid_t gid, int ngids, gid_t *gidlist) { (void)uid; (void)gid; (void)ngids; (void)gidlist; return (UserPerm *)&fake_perm; }
void ceph_userperm_destroy(UserPerm *perm) { (void)perm; }

static void fill(struct ceph_statx *stx, uint64_t ino, uint32_t mode)
{
    memset(stx, 0, sizeof *stx);
    stx->stx_mask = CEPH_STATX_BASIC_STATS;
    stx->stx_ino = ino;
    stx->stx_mode = mode;
    stx->stx_nlink = 1;
    stx->stx_size = 1 << 30;
    stx->stx_blksize = 4 << 20;
    stx->stx_blocks = (1 << 30) / 512;
    stx->stx_dev = CEPH_NOSNAP;
}

int ceph_ll_lookup_root(struct ceph_mount_info *cmount, struct Inode **parent) { (void)cmount; *parent = root; return 0; }
int ceph_ll_put(struct ceph_mount_info *cmount, struct Inode *in) { (void)cmount; (void)in; return 0; }
int ceph_ll_forget(struct ceph_mount_info *cmount, struct Inode *in, int count) { (void)cmount; (void)in; (void)count; return 0; }
int ceph_ll_getattr(struct ceph_mount_info *cmount, struct Inode *in, struct ceph_statx *stx, unsigned int want, unsigned int flags, const UserPerm *perms)
{
    (void)cmount; (void)want; (void)flags; (void)perms;
    fill(stx, in == root ? 1 : 0x10000000001ULL, in == root ? (S_IFDIR | 0755) : (S_IFREG | 0644));
    return 0;
}
int ceph_ll_lookup(struct ceph_mount_info *cmount, Inode *parent, const char *name, Inode **out, struct ceph_statx *stx, unsigned want, unsigned flags, const UserPerm *perms)
{
    (void)cmount; (void)parent; (void)name; (void)want; (void)flags; (void)perms;
    *out = child;
    fill(stx, 0x10000000001ULL, S_IFREG | 0644);
    return 0;
}
int ceph_ll_open(struct ceph_mount_info *cmount, struct Inode *in, int flags, struct Fh **fh, const UserPerm *perms)
{
    (void)cmount; (void)in; (void)flags; (void)perms;
    *fh = (struct Fh *)&fake_fh;
    return 0;
}
int ceph_ll_close(struct ceph_mount_info *cmount, struct Fh *filehandle) { (void)cmount; (void)filehandle; return 0; }
int ceph_ll_read(struct ceph_mount_info *cmount, struct Fh *filehandle, int64_t off, uint64_t len, char *buf)
{
    (void)cmount; (void)filehandle; (void)off; (void)buf;
    return (int)len; /* the data is whatever the reply buffer held: nothing is copied */
}
int ceph_ll_write(struct ceph_mount_info *cmount, struct Fh *filehandle, int64_t off, uint64_t len, const char *data)
{
    (void)cmount; (void)filehandle; (void)off; (void)data;
    return (int)len;
}
int ceph_ll_opendir(struct ceph_mount_info *cmount, struct Inode *in, struct ceph_dir_result **dirpp, const UserPerm *perms)
{
    (void)cmount; (void)in; (void)perms;
    *dirpp = (struct ceph_dir_result *)&fake_dir;
    return 0;
}
int ceph_ll_releasedir(struct ceph_mount_info *cmount, struct ceph_dir_result *dir) { (void)cmount; (void)dir; return 0; }
/* A directory of ENTRIES: entry n (from 2) is "file-<n>", a regular file numbered 0x10000000000 + n. */
enum { ENTRIES = 100000 };
static int64_t position;
void ceph_seekdir(struct ceph_mount_info *cmount, struct ceph_dir_result *dirp, int64_t offset) { (void)cmount; (void)dirp; position = offset; }

int ceph_readdirplus_r(struct ceph_mount_info *cmount, struct ceph_dir_result *dirp, struct dirent *de, struct ceph_statx *stx, unsigned want, unsigned flags, struct Inode **out)
{
    (void)cmount; (void)dirp; (void)want; (void)flags;
    if (position >= ENTRIES) return 0;
    int64_t n = position++;
    memset(de, 0, sizeof *de);
    de->d_ino = 0x10000000000ULL + (uint64_t)n;
    de->d_off = n + 1;
    de->d_type = DT_REG;
    if (n == 0) strcpy(de->d_name, ".");
    else if (n == 1) strcpy(de->d_name, "..");
    else { char *p = de->d_name; memcpy(p, "file-", 5); p += 5; int64_t v = n; char tmp[24]; int k = 0; do { tmp[k++] = (char)('0' + v % 10); v /= 10; } while (v); while (k) *p++ = tmp[--k]; *p = 0; }
    fill(stx, de->d_ino, S_IFREG | 0644);
    if (out) *out = (struct Inode *)(uintptr_t)(0x100000 + n * 16);
    return 1;
}
