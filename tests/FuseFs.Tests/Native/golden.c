/*
 * Golden FUSE messages laid out with the structs of <linux/fuse.h>: each case prints the request the kernel
 * would send and the reply the session must write back, given the deterministic answers of the test's
 * GoldenFileSystem (GoldenTests.cs holds the same constants). Output: "CASE <name> <request hex> <reply hex>".
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <linux/fuse.h>

static unsigned char req[8192], rep[8192];
static size_t rlen, plen;

static void hex(const unsigned char *p, size_t n) { for (size_t i = 0; i < n; i++) printf("%02x", p[i]); }
static void emit(const char *name) { printf("CASE %s ", name); hex(req, rlen); printf(" "); hex(rep, plen); printf("\n"); }

static void request(uint32_t opcode, uint64_t unique, uint64_t nodeid, const void *arg, size_t argsize, const char *s1, const char *s2)
{
	struct fuse_in_header h = { 0 };
	size_t at = sizeof h;
	memset(req, 0, sizeof req);
	if (arg) { memcpy(req + at, arg, argsize); at += argsize; }
	if (s1) { memcpy(req + at, s1, strlen(s1) + 1); at += strlen(s1) + 1; }
	if (s2) { memcpy(req + at, s2, strlen(s2) + 1); at += strlen(s2) + 1; }
	h.len = at; h.opcode = opcode; h.unique = unique; h.nodeid = nodeid; h.uid = 1000; h.gid = 100; h.pid = 4242;
	memcpy(req, &h, sizeof h);
	rlen = at;
}

static void reply(uint64_t unique, int error, const void *payload, size_t size)
{
	struct fuse_out_header o = { .len = sizeof o + size, .error = error, .unique = unique };
	memset(rep, 0, sizeof rep);
	memcpy(rep, &o, sizeof o);
	if (payload) memcpy(rep + sizeof o, payload, size);
	plen = sizeof o + size;
}

static struct fuse_attr golden_attr(uint64_t ino, uint32_t mode)
{
	struct fuse_attr a = { 0 };
	a.ino = ino; a.size = 12345; a.blocks = 24;
	a.atime = 1000; a.atimensec = 500; a.mtime = 2000; a.mtimensec = 600; a.ctime = 3000; a.ctimensec = 700;
	a.mode = mode; a.nlink = 1; a.uid = 1000; a.gid = 100; a.rdev = 0; a.blksize = 4096;
	return a;
}

static struct fuse_entry_out golden_entry(uint64_t ino, uint32_t mode)
{
	struct fuse_entry_out e = { 0 };
	e.nodeid = ino; e.generation = 7;
	e.entry_valid = 1; e.entry_valid_nsec = 500000000; e.attr_valid = 2; e.attr_valid_nsec = 0;
	e.attr = golden_attr(ino, mode);
	return e;
}

static size_t add_dirent(unsigned char *p, uint64_t ino, uint64_t off, uint32_t type, const char *name)
{
	struct fuse_dirent d = { .ino = ino, .off = off, .namelen = strlen(name), .type = type };
	memcpy(p, &d, FUSE_NAME_OFFSET);
	memcpy(p + FUSE_NAME_OFFSET, name, strlen(name));
	return FUSE_DIRENT_SIZE(&d);
}

static size_t add_direntplus(unsigned char *p, struct fuse_entry_out e, uint64_t off, const char *name)
{
	struct fuse_direntplus d;
	memset(&d, 0, sizeof d);
	d.entry_out = e;
	d.dirent.ino = e.attr.ino; d.dirent.off = off; d.dirent.namelen = strlen(name); d.dirent.type = (e.attr.mode & 0170000) >> 12;
	memcpy(p, &d, FUSE_NAME_OFFSET_DIRENTPLUS);
	memcpy(p + FUSE_NAME_OFFSET_DIRENTPLUS, name, strlen(name));
	return FUSE_DIRENTPLUS_SIZE(&d);
}

int main(void)
{
	/* INIT: the kernel of 6.18 offers 7.45 and every flag; we answer with our set, 1 MiB requests. */
	{
		struct fuse_init_in in = { .major = 7, .minor = 45, .max_readahead = 131072 };
		in.flags = 0xffffffffu; in.flags2 = 0x7ff; /* bits 32..42 */
		request(FUSE_INIT, 2, 0, &in, sizeof in, NULL, NULL);
		uint64_t want = FUSE_ASYNC_READ | FUSE_POSIX_LOCKS | FUSE_ATOMIC_O_TRUNC | FUSE_EXPORT_SUPPORT | FUSE_BIG_WRITES |
			FUSE_FLOCK_LOCKS | FUSE_HAS_IOCTL_DIR | FUSE_AUTO_INVAL_DATA | FUSE_DO_READDIRPLUS | FUSE_READDIRPLUS_AUTO |
			FUSE_ASYNC_DIO | FUSE_PARALLEL_DIROPS | FUSE_MAX_PAGES | FUSE_HANDLE_KILLPRIV_V2 | FUSE_CACHE_SYMLINKS |
			FUSE_ABORT_ERROR | FUSE_INIT_EXT;
		struct fuse_init_out out = { 0 };
		out.major = 7; out.minor = 45; out.max_readahead = 131072; out.flags = (uint32_t)want; out.flags2 = (uint32_t)(want >> 32);
		out.max_background = 64; out.congestion_threshold = 48; out.max_write = 1048576; out.time_gran = 1; out.max_pages = 256;
		reply(2, 0, &out, sizeof out);
		emit("init");
	}
	/* LOOKUP "hello" in the root → node 42 */
	{
		request(FUSE_LOOKUP, 4, FUSE_ROOT_ID, NULL, 0, "hello", NULL);
		struct fuse_entry_out e = golden_entry(42, 0100644);
		reply(4, 0, &e, sizeof e);
		emit("lookup");
	}
	/* LOOKUP "missing" → ENOENT: a bare 16-byte header with -errno */
	{
		request(FUSE_LOOKUP, 6, FUSE_ROOT_ID, NULL, 0, "missing", NULL);
		reply(6, -ENOENT, NULL, 0);
		emit("lookup-enoent");
	}
	/* GETATTR of node 42 through file handle 9 */
	{
		struct fuse_getattr_in in = { .getattr_flags = FUSE_GETATTR_FH, .fh = 9 };
		request(FUSE_GETATTR, 8, 42, &in, sizeof in, NULL, NULL);
		struct fuse_attr_out out = { .attr_valid = 2, .attr = golden_attr(42, 0100644) };
		reply(8, 0, &out, sizeof out);
		emit("getattr");
	}
	/* READ 100 bytes at 4096 from handle 9: byte i of the file is (i * 7) & 0xff */
	{
		struct fuse_read_in in = { .fh = 9, .offset = 4096, .size = 100, .flags = 0100002 };
		request(FUSE_READ, 10, 42, &in, sizeof in, NULL, NULL);
		unsigned char data[100];
		for (int i = 0; i < 100; i++) data[i] = (unsigned char)(((4096 + i) * 7) & 0xff);
		reply(10, 0, data, sizeof data);
		emit("read");
	}
	/* WRITE "abcde" at 3 → 5 bytes written */
	{
		unsigned char arg[sizeof(struct fuse_write_in) + 5];
		struct fuse_write_in in = { .fh = 9, .offset = 3, .size = 5, .flags = 0100002 };
		memcpy(arg, &in, sizeof in);
		memcpy(arg + sizeof in, "abcde", 5);
		request(FUSE_WRITE, 12, 42, arg, sizeof arg, NULL, NULL);
		struct fuse_write_out out = { .size = 5 };
		reply(12, 0, &out, sizeof out);
		emit("write");
	}
	/* READDIR from offset 0: ".", "..", "file-a" (42, regular), "dir-b" (43, directory) */
	{
		struct fuse_read_in in = { .fh = 5, .offset = 0, .size = 4096 };
		request(FUSE_READDIR, 14, FUSE_ROOT_ID, &in, sizeof in, NULL, NULL);
		unsigned char buf[4096] = { 0 };
		size_t n = 0;
		n += add_dirent(buf + n, 1, 1, 4, ".");
		n += add_dirent(buf + n, 1, 2, 4, "..");
		n += add_dirent(buf + n, 42, 3, 8, "file-a");
		n += add_dirent(buf + n, 43, 4, 4, "dir-b");
		reply(14, 0, buf, n);
		emit("readdir");
	}
	/* READDIRPLUS: the same; "." and ".." carry no node (nodeid 0, only ino and type) */
	{
		struct fuse_read_in in = { .fh = 5, .offset = 0, .size = 4096 };
		request(FUSE_READDIRPLUS, 16, FUSE_ROOT_ID, &in, sizeof in, NULL, NULL);
		unsigned char buf[4096] = { 0 };
		size_t n = 0;
		struct fuse_entry_out dot = { 0 };
		dot.attr.ino = 1; dot.attr.mode = 040755;
		n += add_direntplus(buf + n, dot, 1, ".");
		n += add_direntplus(buf + n, dot, 2, "..");
		n += add_direntplus(buf + n, golden_entry(42, 0100644), 3, "file-a");
		n += add_direntplus(buf + n, golden_entry(43, 040755), 4, "dir-b");
		reply(16, 0, buf, n);
		emit("readdirplus");
	}
	/* READDIRPLUS with a buffer that holds only two entries */
	{
		struct fuse_read_in in = { .fh = 5, .offset = 2, .size = 2 * (FUSE_NAME_OFFSET_DIRENTPLUS + 8) };
		request(FUSE_READDIRPLUS, 18, FUSE_ROOT_ID, &in, sizeof in, NULL, NULL);
		unsigned char buf[4096] = { 0 };
		size_t n = 0;
		n += add_direntplus(buf + n, golden_entry(42, 0100644), 3, "file-a");
		n += add_direntplus(buf + n, golden_entry(43, 040755), 4, "dir-b");
		reply(18, 0, buf, n);
		emit("readdirplus-full");
	}
	/* STATFS */
	{
		request(FUSE_STATFS, 20, FUSE_ROOT_ID, NULL, 0, NULL, NULL);
		struct fuse_statfs_out out = { .st = { .blocks = 1000, .bfree = 600, .bavail = 500, .files = 100, .ffree = 90,
			.bsize = 4096, .namelen = 255, .frsize = 4096 } };
		reply(20, 0, &out, sizeof out);
		emit("statfs");
	}
	/* GETLK: conflicting write lock of pid 77 on [10, 19] */
	{
		struct fuse_lk_in in = { .fh = 9, .owner = 0x1234, .lk = { .start = 0, .end = 100, .type = 1, .pid = 4242 } };
		request(FUSE_GETLK, 22, 42, &in, sizeof in, NULL, NULL);
		struct fuse_lk_out out = { .lk = { .start = 10, .end = 19, .type = 1, .pid = 77 } };
		reply(22, 0, &out, sizeof out);
		emit("getlk");
	}
	/* GETXATTR user.golden with size 0 → the size (11) */
	{
		struct fuse_getxattr_in in = { .size = 0 };
		request(FUSE_GETXATTR, 24, 42, &in, sizeof in, "user.golden", NULL);
		struct fuse_getxattr_out out = { .size = 11 };
		reply(24, 0, &out, sizeof out);
		emit("getxattr-size");
	}
	/* GETXATTR with room → the value "golden-data" */
	{
		struct fuse_getxattr_in in = { .size = 64 };
		request(FUSE_GETXATTR, 26, 42, &in, sizeof in, "user.golden", NULL);
		reply(26, 0, "golden-data", 11);
		emit("getxattr-value");
	}
	/* GETXATTR with too little room → ERANGE */
	{
		struct fuse_getxattr_in in = { .size = 4 };
		request(FUSE_GETXATTR, 28, 42, &in, sizeof in, "user.golden", NULL);
		reply(28, -ERANGE, NULL, 0);
		emit("getxattr-erange");
	}
	/* CREATE "new" → entry for node 44 and handle 11 with KEEP_CACHE */
	{
		struct fuse_create_in in = { .flags = 0100102, .mode = 0100644, .umask = 022 };
		request(FUSE_CREATE, 30, FUSE_ROOT_ID, &in, sizeof in, "new", NULL);
		unsigned char out[sizeof(struct fuse_entry_out) + sizeof(struct fuse_open_out)];
		struct fuse_entry_out e = golden_entry(44, 0100644);
		struct fuse_open_out o = { .fh = 11, .open_flags = FOPEN_KEEP_CACHE };
		memcpy(out, &e, sizeof e);
		memcpy(out + sizeof e, &o, sizeof o);
		reply(30, 0, out, sizeof out);
		emit("create");
	}
	/* RENAME2 "a" → dir 43 "b" with RENAME_NOREPLACE → EEXIST */
	{
		struct fuse_rename2_in in = { .newdir = 43, .flags = 1 };
		request(FUSE_RENAME2, 32, FUSE_ROOT_ID, &in, sizeof in, "a", "b");
		reply(32, -EEXIST, NULL, 0);
		emit("rename2-noreplace");
	}
	/* An opcode nobody knows → ENOSYS */
	{
		request(999, 34, 42, NULL, 0, NULL, NULL);
		reply(34, -ENOSYS, NULL, 0);
		emit("unknown-opcode");
	}
	/* LSEEK SEEK_DATA from 5 → 8192 */
	{
		struct fuse_lseek_in in = { .fh = 9, .offset = 5, .whence = 3 };
		request(FUSE_LSEEK, 36, 42, &in, sizeof in, NULL, NULL);
		struct fuse_lseek_out out = { .offset = 8192 };
		reply(36, 0, &out, sizeof out);
		emit("lseek");
	}
	/* Notifications the file system sends (request part empty) */
	{
		rlen = 0;
		struct { struct fuse_out_header h; struct fuse_notify_inval_inode_out b; } m = {
			{ .len = sizeof m, .error = FUSE_NOTIFY_INVAL_INODE, .unique = 0 }, { .ino = 42, .off = 4096, .len = 8192 } };
		memcpy(rep, &m, sizeof m); plen = sizeof m;
		emit("notify-inval-inode");
		struct fuse_notify_inval_entry_out e = { .parent = 1, .namelen = 5, .flags = 0 };
		struct fuse_out_header h = { .len = sizeof h + sizeof e + 6, .error = FUSE_NOTIFY_INVAL_ENTRY, .unique = 0 };
		memcpy(rep, &h, sizeof h); memcpy(rep + sizeof h, &e, sizeof e); memcpy(rep + sizeof h + sizeof e, "hello", 6);
		plen = h.len;
		emit("notify-inval-entry");
		struct fuse_notify_delete_out d = { .parent = 1, .child = 42, .namelen = 5 };
		h.len = sizeof h + sizeof d + 6; h.error = FUSE_NOTIFY_DELETE;
		memcpy(rep, &h, sizeof h); memcpy(rep + sizeof h, &d, sizeof d); memcpy(rep + sizeof h + sizeof d, "hello", 6);
		plen = h.len;
		emit("notify-delete");
	}
	return 0;
}
