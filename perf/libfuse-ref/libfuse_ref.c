/*
 * libfuse-ref: an in-memory file system on libfuse3's LOW-LEVEL API, the C bar that
 * managed-cephfuse's memory backend is measured against (make bench, FUSE-layer suite).
 *
 *   libfuse-ref MOUNTPOINT [-f] [-s] [-d] [-o clone_fd] [-o max_threads=N] [-o timeout=SECONDS] [-o <mount opts>]
 *
 * Standard libfuse command line (fuse_parse_cmdline): -f foreground, -s single-threaded loop,
 * -d debug. "timeout" is the entry and attribute timeout handed to the kernel (default 0: every
 * stat is a round trip, which is what the benchmark measures).
 *
 * What it serves: directories, regular files (data in one growing malloc'd buffer), create, mknod
 * of regular files, write, truncate, unlink, rmdir, rename, readdir, statfs. Enough for fio, the
 * bench's fsops tool and ls; no links, symlinks, xattrs or locks (the kernel gets ENOSYS).
 * Files are found by a hash table keyed on (parent inode, name), so 10,000-entry directories stay
 * O(1) per lookup, create and unlink. Directory listings walk the child list from the start for
 * each READDIR (offset = position), which is fine for the small directories anyone lists here.
 *
 * Locking: one rwlock. READ, GETATTR, READDIR and STATFS take it shared and hold it across the
 * reply (the reply points into the file's buffer, which a concurrent WRITE could move); everything
 * else takes it exclusively. With -s there is one thread and the lock is never contended.
 */
#define FUSE_USE_VERSION 312
#define _GNU_SOURCE
#include <fuse_lowlevel.h>

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct node {
	fuse_ino_t ino;
	mode_t mode;
	nlink_t nlink;
	uid_t uid;
	gid_t gid;
	uint64_t nlookup;     /* kernel references (LOOKUP/CREATE/MKNOD/MKDIR replies minus FORGETs) */
	uint32_t open_count;  /* open files and directories */
	off_t size;
	size_t capacity;
	char *data;
	struct timespec atime, mtime, ctime;
	/* place in the tree: NULL parent once unlinked */
	struct node *parent;
	char *name;
	struct node *hash_next;
	struct node *sibling_prev, *sibling_next;
	struct node *first_child;
	uint64_t child_count;
};

static pthread_rwlock_t tree_lock = PTHREAD_RWLOCK_INITIALIZER;
static double kernel_timeout;  /* entry and attr timeout, seconds */

/* inode table: index = inode number, 1 = root; numbers are never reused */
static struct node **inodes;
static fuse_ino_t inode_capacity, next_ino = 1;

/* (parent, name) -> node */
static struct node **buckets;
static size_t bucket_count, entry_count;

static size_t name_hash(fuse_ino_t parent, const char *name)
{
	uint64_t h = 1469598103934665603ULL ^ (parent * 0x9E3779B97F4A7C15ULL);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

static void hash_insert_bucket(struct node **table, size_t count, struct node *n)
{
	size_t b = name_hash(n->parent->ino, n->name) & (count - 1);
	n->hash_next = table[b];
	table[b] = n;
}

static int hash_grow(void)
{
	size_t count = bucket_count ? bucket_count * 2 : 1024;
	struct node **table = calloc(count, sizeof *table);
	if (!table)
		return -ENOMEM;
	for (size_t i = 0; i < bucket_count; i++) {
		struct node *n = buckets[i];
		while (n) {
			struct node *next = n->hash_next;
			hash_insert_bucket(table, count, n);
			n = next;
		}
	}
	free(buckets);
	buckets = table;
	bucket_count = count;
	return 0;
}

static struct node *find_child(const struct node *dir, const char *name)
{
	if (!bucket_count)
		return NULL;
	struct node *n = buckets[name_hash(dir->ino, name) & (bucket_count - 1)];
	for (; n; n = n->hash_next)
		if (n->parent == dir && strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

static void touch(struct timespec *t) { clock_gettime(CLOCK_REALTIME, t); }

/* Links n under dir as name (name is copied). */
static int attach(struct node *dir, struct node *n, const char *name)
{
	if (entry_count + 1 > bucket_count && hash_grow() != 0)
		return -ENOMEM;
	char *copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	free(n->name);
	n->name = copy;
	n->parent = dir;
	hash_insert_bucket(buckets, bucket_count, n);
	entry_count++;
	n->sibling_prev = NULL;
	n->sibling_next = dir->first_child;
	if (dir->first_child)
		dir->first_child->sibling_prev = n;
	dir->first_child = n;
	dir->child_count++;
	touch(&dir->mtime);
	dir->ctime = dir->mtime;
	return 0;
}

static void detach(struct node *n)
{
	struct node *dir = n->parent;
	struct node **link = &buckets[name_hash(dir->ino, n->name) & (bucket_count - 1)];
	while (*link != n)
		link = &(*link)->hash_next;
	*link = n->hash_next;
	entry_count--;
	if (n->sibling_prev)
		n->sibling_prev->sibling_next = n->sibling_next;
	else
		dir->first_child = n->sibling_next;
	if (n->sibling_next)
		n->sibling_next->sibling_prev = n->sibling_prev;
	dir->child_count--;
	touch(&dir->mtime);
	dir->ctime = dir->mtime;
	n->parent = NULL;
}

static struct node *new_node(mode_t mode, const struct fuse_ctx *ctx)
{
	if (next_ino >= inode_capacity) {
		fuse_ino_t capacity = inode_capacity ? inode_capacity * 2 : 4096;
		struct node **table = realloc(inodes, capacity * sizeof *table);
		if (!table)
			return NULL;
		memset(table + inode_capacity, 0, (capacity - inode_capacity) * sizeof *table);
		inodes = table;
		inode_capacity = capacity;
	}
	struct node *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	n->ino = next_ino++;
	n->mode = mode;
	n->nlink = S_ISDIR(mode) ? 2 : 1;
	n->uid = ctx ? ctx->uid : getuid();
	n->gid = ctx ? ctx->gid : getgid();
	touch(&n->atime);
	n->mtime = n->ctime = n->atime;
	inodes[n->ino] = n;
	return n;
}

static struct node *node_of(fuse_ino_t ino)
{
	return ino < next_ino ? inodes[ino] : NULL;
}

/* Frees an unlinked node once neither the kernel nor an open file refers to it. */
static void release_if_unused(struct node *n)
{
	if (n->parent || n->ino == FUSE_ROOT_ID || n->nlookup || n->open_count)
		return;
	inodes[n->ino] = NULL;
	free(n->data);
	free(n->name);
	free(n);
}

static void fill_stat(const struct node *n, struct stat *st)
{
	memset(st, 0, sizeof *st);
	st->st_ino = n->ino;
	st->st_mode = n->mode;
	st->st_nlink = n->nlink;
	st->st_uid = n->uid;
	st->st_gid = n->gid;
	st->st_size = n->size;
	st->st_blksize = 4096;
	st->st_blocks = (n->size + 511) / 512;
	st->st_atim = n->atime;
	st->st_mtim = n->mtime;
	st->st_ctim = n->ctime;
}

static void reply_entry(fuse_req_t req, struct node *n)
{
	struct fuse_entry_param e;
	memset(&e, 0, sizeof e);
	e.ino = n->ino;
	e.attr_timeout = kernel_timeout;
	e.entry_timeout = kernel_timeout;
	fill_stat(n, &e.attr);
	n->nlookup++;
	fuse_reply_entry(req, &e);
}

static void reply_attr(fuse_req_t req, const struct node *n)
{
	struct stat st;
	fill_stat(n, &st);
	fuse_reply_attr(req, &st, kernel_timeout);
}

#define LOCK_SHARED() pthread_rwlock_rdlock(&tree_lock)
#define LOCK_EXCLUSIVE() pthread_rwlock_wrlock(&tree_lock)
#define UNLOCK() pthread_rwlock_unlock(&tree_lock)

/* ---- operations ------------------------------------------------------------------------------- */

static void ref_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	/* 1 MiB requests where the kernel allows them (libfuse caps max_write at its buffer size) */
	conn->max_write = 1024 * 1024;
}

static void ref_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	LOCK_EXCLUSIVE();
	struct node *dir = node_of(parent), *n;
	if (!dir || !S_ISDIR(dir->mode))
		fuse_reply_err(req, ENOTDIR);
	else if (strcmp(name, ".") == 0)
		reply_entry(req, dir);
	else if (strcmp(name, "..") == 0)
		reply_entry(req, dir->parent ? dir->parent : dir);
	else if (!(n = find_child(dir, name)))
		fuse_reply_err(req, ENOENT);
	else
		reply_entry(req, n);
	UNLOCK();
}

static void forget_locked(fuse_ino_t ino, uint64_t nlookup)
{
	struct node *n = node_of(ino);
	if (!n)
		return;
	n->nlookup = nlookup > n->nlookup ? 0 : n->nlookup - nlookup;
	release_if_unused(n);
}

static void ref_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	LOCK_EXCLUSIVE();
	forget_locked(ino, nlookup);
	UNLOCK();
	fuse_reply_none(req);
}

static void ref_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	LOCK_EXCLUSIVE();
	for (size_t i = 0; i < count; i++)
		forget_locked(forgets[i].ino, forgets[i].nlookup);
	UNLOCK();
	fuse_reply_none(req);
}

static void ref_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)fi;
	LOCK_SHARED();
	struct node *n = node_of(ino);
	if (n)
		reply_attr(req, n);
	else
		fuse_reply_err(req, ENOENT);
	UNLOCK();
}

static int resize(struct node *n, off_t size)
{
	if ((size_t)size > n->capacity) {
		size_t capacity = n->capacity ? n->capacity : 4096;
		while (capacity < (size_t)size)
			capacity *= 2;
		char *data = realloc(n->data, capacity);
		if (!data)
			return -ENOMEM;
		n->data = data;
		n->capacity = capacity;
	}
	if (size > n->size)
		memset(n->data + n->size, 0, size - n->size);
	n->size = size;
	return 0;
}

static void ref_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi)
{
	(void)fi;
	LOCK_EXCLUSIVE();
	struct node *n = node_of(ino);
	int error = 0;
	if (!n) {
		error = ENOENT;
		goto out;
	}
	if (to_set & FUSE_SET_ATTR_SIZE) {
		if (S_ISDIR(n->mode)) {
			error = EISDIR;
			goto out;
		}
		if ((error = -resize(n, attr->st_size)) != 0)
			goto out;
		touch(&n->mtime);
	}
	if (to_set & FUSE_SET_ATTR_MODE)
		n->mode = (n->mode & S_IFMT) | (attr->st_mode & 07777);
	if (to_set & FUSE_SET_ATTR_UID)
		n->uid = attr->st_uid;
	if (to_set & FUSE_SET_ATTR_GID)
		n->gid = attr->st_gid;
	if (to_set & FUSE_SET_ATTR_ATIME_NOW)
		touch(&n->atime);
	else if (to_set & FUSE_SET_ATTR_ATIME)
		n->atime = attr->st_atim;
	if (to_set & FUSE_SET_ATTR_MTIME_NOW)
		touch(&n->mtime);
	else if (to_set & FUSE_SET_ATTR_MTIME)
		n->mtime = attr->st_mtim;
	touch(&n->ctime);
out:
	if (error)
		fuse_reply_err(req, error);
	else
		reply_attr(req, n);
	UNLOCK();
}

/* Makes name in parent; on success *out is the new node (no kernel reference taken yet). */
static int make_node(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, struct node **out)
{
	struct node *dir = node_of(parent);
	if (!dir || !S_ISDIR(dir->mode))
		return ENOTDIR;
	if (strlen(name) > 255)
		return ENAMETOOLONG;
	if (find_child(dir, name))
		return EEXIST;
	struct node *n = new_node(mode, fuse_req_ctx(req));
	if (!n)
		return ENOMEM;
	int r = attach(dir, n, name);
	if (r) {
		inodes[n->ino] = NULL;
		free(n);
		return -r;
	}
	if (S_ISDIR(mode))
		dir->nlink++;
	*out = n;
	return 0;
}

static void ref_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	(void)rdev;
	if (!S_ISREG(mode)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	LOCK_EXCLUSIVE();
	struct node *n;
	int error = make_node(req, parent, name, mode, &n);
	if (error)
		fuse_reply_err(req, error);
	else
		reply_entry(req, n);
	UNLOCK();
}

static void ref_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	LOCK_EXCLUSIVE();
	struct node *n;
	int error = make_node(req, parent, name, S_IFDIR | (mode & 07777), &n);
	if (error)
		fuse_reply_err(req, error);
	else
		reply_entry(req, n);
	UNLOCK();
}

static void ref_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, struct fuse_file_info *fi)
{
	LOCK_EXCLUSIVE();
	struct node *n;
	int error = make_node(req, parent, name, S_IFREG | (mode & 07777), &n);
	if (error) {
		fuse_reply_err(req, error);
	} else {
		struct fuse_entry_param e;
		memset(&e, 0, sizeof e);
		e.ino = n->ino;
		e.attr_timeout = kernel_timeout;
		e.entry_timeout = kernel_timeout;
		fill_stat(n, &e.attr);
		fi->fh = n->ino;
		n->open_count++;
		n->nlookup++;
		if (fuse_reply_create(req, &e, fi) != 0) {
			/* the requester went away: the kernel holds neither the reference nor the file */
			n->open_count--;
			n->nlookup--;
		}
	}
	UNLOCK();
}

static void remove_entry(fuse_req_t req, fuse_ino_t parent, const char *name, int want_dir)
{
	LOCK_EXCLUSIVE();
	struct node *dir = node_of(parent), *n;
	int error = 0;
	if (!dir || !S_ISDIR(dir->mode))
		error = ENOTDIR;
	else if (!(n = find_child(dir, name)))
		error = ENOENT;
	else if (want_dir && !S_ISDIR(n->mode))
		error = ENOTDIR;
	else if (!want_dir && S_ISDIR(n->mode))
		error = EISDIR;
	else if (want_dir && n->child_count)
		error = ENOTEMPTY;
	else {
		detach(n);
		n->nlink = 0;
		if (want_dir)
			dir->nlink--;
		touch(&n->ctime);
		release_if_unused(n);
	}
	fuse_reply_err(req, error);
	UNLOCK();
}

static void ref_unlink(fuse_req_t req, fuse_ino_t parent, const char *name) { remove_entry(req, parent, name, 0); }
static void ref_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name) { remove_entry(req, parent, name, 1); }

static void ref_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		       const char *newname, unsigned int flags)
{
	LOCK_EXCLUSIVE();
	struct node *from = node_of(parent), *to = node_of(newparent), *n, *old;
	int error = 0;
	if (flags) {
		error = EINVAL; /* RENAME_NOREPLACE / EXCHANGE: not needed by the benchmarks */
	} else if (!from || !to || !S_ISDIR(from->mode) || !S_ISDIR(to->mode)) {
		error = ENOTDIR;
	} else if (!(n = find_child(from, name))) {
		error = ENOENT;
	} else {
		old = find_child(to, newname);
		if (old == n)
			goto out;
		if (old) {
			if (S_ISDIR(old->mode) && (!S_ISDIR(n->mode) || old->child_count)) {
				error = S_ISDIR(n->mode) ? ENOTEMPTY : EISDIR;
				goto out;
			}
			if (!S_ISDIR(old->mode) && S_ISDIR(n->mode)) {
				error = ENOTDIR;
				goto out;
			}
			detach(old);
			old->nlink = 0;
			if (S_ISDIR(old->mode))
				to->nlink--;
			release_if_unused(old);
		}
		detach(n);
		if ((error = -attach(to, n, newname)) != 0)
			goto out;
		if (S_ISDIR(n->mode) && from != to) {
			from->nlink--;
			to->nlink++;
		}
		touch(&n->ctime);
	}
out:
	fuse_reply_err(req, error);
	UNLOCK();
}

static void ref_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	LOCK_EXCLUSIVE();
	struct node *n = node_of(ino);
	int error = 0;
	if (!n)
		error = ENOENT;
	else if (S_ISDIR(n->mode))
		error = EISDIR;
	else if ((fi->flags & O_TRUNC) && (fi->flags & O_ACCMODE) != O_RDONLY)
		error = -resize(n, 0);
	if (error) {
		fuse_reply_err(req, error);
	} else {
		fi->fh = ino;
		n->open_count++;
		if (fuse_reply_open(req, fi) != 0)
			n->open_count--;
	}
	UNLOCK();
}

static void ref_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	LOCK_SHARED();
	struct node *n = node_of(ino);
	if (!n)
		fuse_reply_err(req, ENOENT);
	else if (off >= n->size)
		fuse_reply_buf(req, NULL, 0);
	else
		fuse_reply_buf(req, n->data + off, (size_t)(n->size - off) < size ? (size_t)(n->size - off) : size);
	UNLOCK();
}

static void ref_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	(void)fi;
	LOCK_EXCLUSIVE();
	struct node *n = node_of(ino);
	int error = 0;
	if (!n)
		error = ENOENT;
	else if (off + (off_t)size > n->size)
		error = -resize(n, off + (off_t)size);
	if (error) {
		fuse_reply_err(req, error);
	} else {
		memcpy(n->data + off, buf, size);
		touch(&n->mtime);
		n->ctime = n->mtime;
		fuse_reply_write(req, size);
	}
	UNLOCK();
}

static void ref_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	fuse_reply_err(req, 0);
}

static void ref_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	(void)ino;
	(void)datasync;
	(void)fi;
	fuse_reply_err(req, 0);
}

static void ref_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)fi;
	LOCK_EXCLUSIVE();
	struct node *n = node_of(ino);
	if (n && n->open_count) {
		n->open_count--;
		release_if_unused(n);
	}
	UNLOCK();
	fuse_reply_err(req, 0);
}

static void ref_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	LOCK_EXCLUSIVE();
	struct node *n = node_of(ino);
	if (!n) {
		fuse_reply_err(req, ENOENT);
	} else if (!S_ISDIR(n->mode)) {
		fuse_reply_err(req, ENOTDIR);
	} else {
		fi->fh = ino;
		n->open_count++;
		if (fuse_reply_open(req, fi) != 0)
			n->open_count--;
	}
	UNLOCK();
}

/* Offsets: 1 after ".", 2 after "..", 2 + k after the k-th child. */
static void ref_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	LOCK_SHARED();
	struct node *dir = node_of(ino);
	if (!dir) {
		fuse_reply_err(req, ENOENT);
		UNLOCK();
		return;
	}
	char *buf = malloc(size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		UNLOCK();
		return;
	}
	size_t used = 0;
	struct stat st;
	memset(&st, 0, sizeof st);
	off_t pos = off;
	for (;;) {
		const char *name;
		struct node *n;
		if (pos == 0) {
			name = ".";
			n = dir;
		} else if (pos == 1) {
			name = "..";
			n = dir->parent ? dir->parent : dir;
		} else {
			n = dir->first_child;
			for (off_t k = 2; n && k < pos; k++)
				n = n->sibling_next;
			if (!n)
				break;
			name = n->name;
		}
		st.st_ino = n->ino;
		st.st_mode = n->mode;
		size_t len = fuse_add_direntry(req, buf + used, size - used, name, &st, pos + 1);
		if (len > size - used)
			break;
		used += len;
		pos++;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
	UNLOCK();
}

static void ref_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) { ref_release(req, ino, fi); }

static void ref_statfs(fuse_req_t req, fuse_ino_t ino)
{
	(void)ino;
	struct statvfs st;
	memset(&st, 0, sizeof st);
	st.f_bsize = st.f_frsize = 4096;
	st.f_blocks = st.f_bfree = st.f_bavail = 1ULL << 30;
	st.f_files = st.f_ffree = st.f_favail = 1ULL << 30;
	st.f_namemax = 255;
	fuse_reply_statfs(req, &st);
}

static const struct fuse_lowlevel_ops ref_ops = {
	.init = ref_init,
	.lookup = ref_lookup,
	.forget = ref_forget,
	.forget_multi = ref_forget_multi,
	.getattr = ref_getattr,
	.setattr = ref_setattr,
	.mknod = ref_mknod,
	.mkdir = ref_mkdir,
	.create = ref_create,
	.unlink = ref_unlink,
	.rmdir = ref_rmdir,
	.rename = ref_rename,
	.open = ref_open,
	.read = ref_read,
	.write = ref_write,
	.flush = ref_flush,
	.fsync = ref_fsync,
	.release = ref_release,
	.opendir = ref_opendir,
	.readdir = ref_readdir,
	.releasedir = ref_releasedir,
	.statfs = ref_statfs,
};

/* ---- main ------------------------------------------------------------------------------------- */

struct ref_options {
	double timeout;
};

static const struct fuse_opt ref_opt_spec[] = {
	{ "timeout=%lf", offsetof(struct ref_options, timeout), 0 },
	FUSE_OPT_END
};

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts opts;
	struct ref_options ref = { .timeout = 0 };
	int rc = 1;

	if (fuse_parse_cmdline(&args, &opts) != 0)
		return 1;
	if (opts.show_help || !opts.mountpoint) {
		printf("usage: %s MOUNTPOINT [-f] [-s] [-d] [-o timeout=SECONDS] [-o clone_fd] [-o max_threads=N]\n",
		       argv[0]);
		fuse_cmdline_help();
		fuse_lowlevel_help();
		rc = opts.show_help ? 0 : 1;
		goto out_args;
	}
	if (opts.show_version) {
		printf("libfuse-ref using libfuse %s\n", fuse_pkgversion());
		rc = 0;
		goto out_args;
	}
	if (fuse_opt_parse(&args, &ref, ref_opt_spec, NULL) != 0)
		goto out_args;
	kernel_timeout = ref.timeout;

	struct node *root = new_node(S_IFDIR | 0755, NULL);
	if (!root || root->ino != FUSE_ROOT_ID || hash_grow() != 0) {
		fprintf(stderr, "libfuse-ref: out of memory\n");
		goto out_args;
	}

	struct fuse_session *se = fuse_session_new(&args, &ref_ops, sizeof ref_ops, NULL);
	if (!se)
		goto out_args;
	if (fuse_set_signal_handlers(se) != 0)
		goto out_session;
	if (fuse_session_mount(se, opts.mountpoint) != 0)
		goto out_signals;
	fuse_daemonize(opts.foreground);

	if (opts.singlethread) {
		rc = fuse_session_loop(se);
	} else {
		struct fuse_loop_config *config = fuse_loop_cfg_create();
		fuse_loop_cfg_set_clone_fd(config, opts.clone_fd);
		fuse_loop_cfg_set_idle_threads(config, opts.max_idle_threads);
		fuse_loop_cfg_set_max_threads(config, opts.max_threads);
		rc = fuse_session_loop_mt(se, config);
		fuse_loop_cfg_destroy(config);
	}
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out_args:
	free(opts.mountpoint);
	fuse_opt_free_args(&args);
	return rc ? 1 : 0;
}
