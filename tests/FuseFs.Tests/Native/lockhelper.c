/*
 * A second process for the lock tests.
 *   hold PATH w|r START LEN   take a POSIX lock, print "locked", hold it until stdin closes
 *   flockhold PATH            take flock(LOCK_EX), print "locked", hold it until stdin closes
 *   wait PATH START LEN SECS  F_SETLKW a write lock with alarm(SECS) interrupting it: prints EINTR, LOCKED or the errno
 *   flockwait PATH SECS       flock(LOCK_EX) likewise
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static void on_alarm(int sig) { (void)sig; }

static void interrupt_after(int seconds)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm; /* no SA_RESTART: the blocked call returns EINTR */
	sigaction(SIGALRM, &sa, NULL);
	alarm(seconds);
}

static void report(int rc)
{
	if (rc == 0) printf("LOCKED\n");
	else if (errno == EINTR) printf("EINTR\n");
	else printf("ERRNO %d\n", errno);
}

int main(int argc, char **argv)
{
	if (argc < 3) return 2;
	int fd = open(argv[2], O_RDWR);
	if (fd < 0) { printf("OPEN %d\n", errno); return 1; }
	if (strcmp(argv[1], "hold") == 0 && argc == 6) {
		struct flock lk = { .l_type = argv[3][0] == 'w' ? F_WRLCK : F_RDLCK, .l_whence = SEEK_SET,
			.l_start = atol(argv[4]), .l_len = atol(argv[5]) };
		if (fcntl(fd, F_SETLK, &lk) != 0) { printf("ERRNO %d\n", errno); return 1; }
		printf("locked %d\n", getpid()); fflush(stdout);
		char c; while (read(0, &c, 1) > 0) { }
		return 0;
	}
	if (strcmp(argv[1], "flockhold") == 0) {
		if (flock(fd, LOCK_EX) != 0) { printf("ERRNO %d\n", errno); return 1; }
		printf("locked %d\n", getpid()); fflush(stdout);
		char c; while (read(0, &c, 1) > 0) { }
		return 0;
	}
	if (strcmp(argv[1], "wait") == 0 && argc == 6) {
		struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = atol(argv[3]), .l_len = atol(argv[4]) };
		interrupt_after(atoi(argv[5]));
		report(fcntl(fd, F_SETLKW, &lk));
		return 0;
	}
	if (strcmp(argv[1], "flockwait") == 0 && argc == 4) {
		interrupt_after(atoi(argv[3]));
		report(flock(fd, LOCK_EX));
		return 0;
	}
	return 2;
}
