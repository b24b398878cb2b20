/*
 * fsops: the file-system client side of `make bench` for what fio does not do well: metadata
 * (create, stat, unlink of N files), small files, stat round trips and whole-file read passes.
 * It does exactly the system calls an application would, times only the loop, and prints one line:
 *
 *   ops=<count> bytes=<bytes> seconds=<elapsed>
 *
 * Files are named f0000000, f0000001, ... inside DIR (the direct libcephfs driver uses the same
 * names). Any failing call stops the run: a message naming the call and path on stderr, exit 1.
 *
 *   fsops create     DIR N          mkdir -p DIR (untimed); open(O_CREAT|O_EXCL|O_WRONLY) + close each
 *   fsops stat       DIR N          stat(2) each
 *   fsops unlink     DIR N          unlink(2) each
 *   fsops smallwrite DIR N SIZE     mkdir -p DIR (untimed); create + write SIZE bytes + close each
 *   fsops smallread  DIR N SIZE     open + read SIZE bytes (must get all) + close each
 *   fsops statloop   PATH N         stat(2) the same path N times
 *   fsops writefile  FILE SIZE BS   create/truncate, write SIZE bytes in BS blocks, fsync, close
 *   fsops readpass   FILE BS PASSES buffered|direct
 *                                   PASSES times: open (O_DIRECT for direct), drop the file's page
 *                                   cache (buffered), read to EOF in BS blocks, close
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *program = "fsops";

static void fail(const char *call, const char *path)
{
	fprintf(stderr, "%s: %s %s: %s\n", program, call, path, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s create|stat|unlink DIR N\n"
		"       %s smallwrite|smallread DIR N SIZE\n"
		"       %s statloop PATH N\n"
		"       %s writefile FILE SIZE BS\n"
		"       %s readpass FILE BS PASSES buffered|direct\n",
		program, program, program, program, program);
	exit(2);
}

static uint64_t parse_count(const char *text)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text)
		usage();
	/* K/M/G suffixes (binary) for sizes */
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end)
		usage();
	return v;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void file_name(char *out, size_t size, const char *dir, uint64_t i)
{
	snprintf(out, size, "%s/f%07llu", dir, (unsigned long long)i);
}

static void make_dirs(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s", dir);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			fail("mkdir", path);
		*p = '/';
	}
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		fail("mkdir", path);
}

static void *aligned_buffer(size_t size)
{
	void *buf;
	if (posix_memalign(&buf, 4096, size ? size : 4096) != 0) {
		errno = ENOMEM;
		fail("posix_memalign", "");
	}
	memset(buf, 0x5a, size);
	return buf;
}

static void report(uint64_t ops, uint64_t bytes, double seconds)
{
	printf("ops=%llu bytes=%llu seconds=%.6f\n", (unsigned long long)ops, (unsigned long long)bytes, seconds);
}

static void write_all(int fd, const char *buf, size_t size, const char *path)
{
	while (size) {
		ssize_t n = write(fd, buf, size);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail("write", path);
		}
		buf += n;
		size -= (size_t)n;
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	const char *cmd = argv[1];
	char path[4096];
	struct stat st;

	if ((!strcmp(cmd, "create") || !strcmp(cmd, "stat") || !strcmp(cmd, "unlink")) && argc == 4) {
		const char *dir = argv[2];
		uint64_t n = parse_count(argv[3]);
		if (!strcmp(cmd, "create"))
			make_dirs(dir);
		double start = now();
		for (uint64_t i = 0; i < n; i++) {
			file_name(path, sizeof path, dir, i);
			if (cmd[0] == 'c') {
				int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
				if (fd < 0)
					fail("create", path);
				if (close(fd) != 0)
					fail("close", path);
			} else if (cmd[0] == 's') {
				if (stat(path, &st) != 0)
					fail("stat", path);
			} else if (unlink(path) != 0) {
				fail("unlink", path);
			}
		}
		report(n, 0, now() - start);
		return 0;
	}

	if ((!strcmp(cmd, "smallwrite") || !strcmp(cmd, "smallread")) && argc == 5) {
		const char *dir = argv[2];
		uint64_t n = parse_count(argv[3]);
		size_t size = parse_count(argv[4]);
		char *buf = aligned_buffer(size);
		int writing = !strcmp(cmd, "smallwrite");
		if (writing)
			make_dirs(dir);
		double start = now();
		for (uint64_t i = 0; i < n; i++) {
			file_name(path, sizeof path, dir, i);
			if (writing) {
				int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
				if (fd < 0)
					fail("create", path);
				write_all(fd, buf, size, path);
				if (close(fd) != 0)
					fail("close", path);
			} else {
				int fd = open(path, O_RDONLY | O_CLOEXEC);
				if (fd < 0)
					fail("open", path);
				size_t got = 0;
				while (got < size) {
					ssize_t r = read(fd, buf + got, size - got);
					if (r < 0 && errno == EINTR)
						continue;
					if (r < 0)
						fail("read", path);
					if (r == 0) {
						errno = EIO;
						fail("read (file shorter than expected)", path);
					}
					got += (size_t)r;
				}
				close(fd);
			}
		}
		report(n, n * size, now() - start);
		return 0;
	}

	if (!strcmp(cmd, "statloop") && argc == 4) {
		uint64_t n = parse_count(argv[3]);
		double start = now();
		for (uint64_t i = 0; i < n; i++)
			if (stat(argv[2], &st) != 0)
				fail("stat", argv[2]);
		report(n, 0, now() - start);
		return 0;
	}

	if (!strcmp(cmd, "writefile") && argc == 5) {
		uint64_t size = parse_count(argv[3]);
		size_t bs = parse_count(argv[4]);
		if (!bs)
			usage();
		char *buf = aligned_buffer(bs);
		double start = now();
		int fd = open(argv[2], O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0)
			fail("create", argv[2]);
		uint64_t ops = 0;
		for (uint64_t done = 0; done < size; ops++) {
			size_t chunk = size - done < bs ? (size_t)(size - done) : bs;
			write_all(fd, buf, chunk, argv[2]);
			done += chunk;
		}
		if (fsync(fd) != 0)
			fail("fsync", argv[2]);
		if (close(fd) != 0)
			fail("close", argv[2]);
		report(ops, size, now() - start);
		return 0;
	}

	if (!strcmp(cmd, "readpass") && argc == 6) {
		size_t bs = parse_count(argv[3]);
		uint64_t passes = parse_count(argv[4]);
		int direct = !strcmp(argv[5], "direct");
		if (!bs || (!direct && strcmp(argv[5], "buffered")))
			usage();
		char *buf = aligned_buffer(bs);
		uint64_t ops = 0, bytes = 0;
		double elapsed = 0;
		for (uint64_t p = 0; p < passes; p++) {
			int fd = open(argv[2], O_RDONLY | O_CLOEXEC | (direct ? O_DIRECT : 0));
			if (fd < 0)
				fail("open", argv[2]);
			/* what an earlier pass left in the page cache must not serve this one (untimed) */
			if (!direct && posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0)
				fail("posix_fadvise", argv[2]);
			double start = now();
			for (;;) {
				ssize_t r = read(fd, buf, bs);
				if (r < 0 && errno == EINTR)
					continue;
				if (r < 0)
					fail("read", argv[2]);
				if (r == 0)
					break;
				ops++;
				bytes += (uint64_t)r;
			}
			elapsed += now() - start;
			close(fd);
		}
		report(ops, bytes, elapsed);
		return 0;
	}

	usage();
	return 2;
}
