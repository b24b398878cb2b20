/*
 * What the FUSE protocol gained between 7.38 (Debian 12's /usr/include/linux/fuse.h) and 7.45 (Linux 6.18),
 * transcribed from the kernel's include/uapi/linux/fuse.h for the layout test only. Structs carry a k745_
 * prefix so they do not clash with the installed header; the test strips it. fuse_statx is additionally
 * checked against struct statx from <linux/stat.h>, which the kernel defines it to match bit for bit.
 */
#include <stdint.h>

/* 7.39 */
#define FUSE_CREATE_SUPP_GROUP     (1ULL << 34)
#define FUSE_DIRECT_IO_ALLOW_MMAP  (1ULL << 36)
/* 7.40 */
#define FUSE_PASSTHROUGH           (1ULL << 37)
#define FUSE_NO_EXPORT_SUPPORT     (1ULL << 38)
#define FUSE_HAS_RESEND            (1ULL << 39)
#define FOPEN_PASSTHROUGH          (1 << 7)
/* 7.41 */
#define FUSE_ALLOW_IDMAP           (1ULL << 40)
/* 7.42 */
#define FUSE_OVER_IO_URING         (1ULL << 41)
/* 7.43 */
#define FUSE_REQUEST_TIMEOUT       (1ULL << 42)

enum k745_fuse_opcode {
	K745_FUSE_STATX = 52,               /* 7.39 */
	K745_FUSE_COPY_FILE_RANGE_64 = 53,  /* 7.45 */
};

enum k745_fuse_notify_code {
	K745_FUSE_NOTIFY_RESEND = 7,        /* 7.40 */
	K745_FUSE_NOTIFY_INC_EPOCH = 8,     /* 7.44 */
	K745_FUSE_NOTIFY_PRUNE = 9,         /* 7.45 */
};

enum k745_fuse_ext_type {
	K745_FUSE_EXT_GROUPS = 32,          /* 7.39 */
};

struct k745_fuse_sx_time {
	int64_t		tv_sec;
	uint32_t	tv_nsec;
	int32_t		__reserved;
};

struct k745_fuse_statx {
	uint32_t	mask;
	uint32_t	blksize;
	uint64_t	attributes;
	uint32_t	nlink;
	uint32_t	uid;
	uint32_t	gid;
	uint16_t	mode;
	uint16_t	__spare0[1];
	uint64_t	ino;
	uint64_t	size;
	uint64_t	blocks;
	uint64_t	attributes_mask;
	struct k745_fuse_sx_time	atime;
	struct k745_fuse_sx_time	btime;
	struct k745_fuse_sx_time	ctime;
	struct k745_fuse_sx_time	mtime;
	uint32_t	rdev_major;
	uint32_t	rdev_minor;
	uint32_t	dev_major;
	uint32_t	dev_minor;
	uint64_t	__spare2[14];
};

struct k745_fuse_statx_in {
	uint32_t	getattr_flags;
	uint32_t	reserved;
	uint64_t	fh;
	uint32_t	sx_flags;
	uint32_t	sx_mask;
};

struct k745_fuse_statx_out {
	uint64_t	attr_valid;
	uint32_t	attr_valid_nsec;
	uint32_t	flags;
	uint64_t	spare[2];
	struct k745_fuse_statx stat;
};

struct k745_fuse_open_out {
	uint64_t	fh;
	uint32_t	open_flags;
	int32_t		backing_id;       /* 7.40: was padding */
};

struct k745_fuse_init_out {
	uint32_t	major;
	uint32_t	minor;
	uint32_t	max_readahead;
	uint32_t	flags;
	uint16_t	max_background;
	uint16_t	congestion_threshold;
	uint32_t	max_write;
	uint32_t	time_gran;
	uint16_t	max_pages;
	uint16_t	map_alignment;
	uint32_t	flags2;
	uint32_t	max_stack_depth;  /* 7.40 */
	uint16_t	request_timeout;  /* 7.43 */
	uint16_t	unused[11];
};

struct k745_fuse_supp_groups {
	uint32_t	nr_groups;
	uint32_t	groups[];
};

struct k745_fuse_notify_prune_out {
	uint32_t	count;
	uint32_t	padding;
	uint64_t	spare;
};

struct k745_fuse_backing_map {
	int32_t		fd;
	uint32_t	flags;
	uint64_t	padding;
};

struct k745_fuse_copy_file_range_out {
	uint64_t	bytes_copied;
};
