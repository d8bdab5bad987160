/*
 * berth-mounter: berthd's hands for the few host system calls Node has no binding for:
 * mount(2), umount2(2), and unshare(2) + a bind mount to keep a new network namespace.
 *
 * Without it each of these is a fork and exec of util-linux's mount, umount or unshare from a
 * large Node process, several milliseconds each, on every container start and exit. berthd
 * starts one mounter when it first needs one and sends it requests on stdin; the mounter does
 * what each says, in order, and answers on stdout. It decides nothing: every path, flag and
 * option comes from TypeScript (src/system/mounter.ts). It exits at EOF on stdin, that is when
 * its berthd goes away, and holds no state that a new one would need.
 *
 * A request: u32 count, then count fields of (u32 length, bytes); integers are little-endian.
 *   "mount"  source target fstype flags data cwd   flags in decimal; relative paths in data
 *                                                  (overlay's lowerdir) start at cwd, if any
 *   "umount" target flags
 *   "netns"  path                                  a new network namespace with lo up, kept
 *                                                  by a bind mount on path (an existing file)
 * An answer: i32 errno (0: done), u32 length, a message naming the step that failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FIELDS 8
#define MAX_FIELD (64 * 1024)

/* The namespace berthd runs in, to come back to after making a new one. */
static int host_netns = -1;

static int read_full(void *buffer, size_t length)
{
	char *p = buffer;
	while (length > 0) {
		ssize_t n = read(STDIN_FILENO, p, length);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		length -= (size_t)n;
	}
	return 0;
}

static void write_full(const void *buffer, size_t length)
{
	const char *p = buffer;
	while (length > 0) {
		ssize_t n = write(STDOUT_FILENO, p, length);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			exit(1); /* berthd is gone */
		p += n;
		length -= (size_t)n;
	}
}

static void answer(int error, const char *message)
{
	uint32_t header[2] = { (uint32_t)error, (uint32_t)strlen(message) };
	write_full(header, sizeof header);
	write_full(message, header[1]);
}

/* Answers errno with "step: strerror". */
static void fail(const char *step)
{
	int error = errno;
	char message[4096 + 128];
	snprintf(message, sizeof message, "%s: %s", step, strerror(error));
	answer(error ? error : EIO, message);
}

static int set_loopback_up(void)
{
	struct ifreq request = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	strcpy(request.ifr_name, "lo");
	int result = ioctl(fd, SIOCGIFFLAGS, &request);
	if (result == 0) {
		request.ifr_flags |= IFF_UP | IFF_RUNNING;
		result = ioctl(fd, SIOCSIFFLAGS, &request);
	}
	int saved = errno;
	close(fd);
	errno = saved;
	return result;
}

static void do_mount(char **field)
{
	char step[4096];
	snprintf(step, sizeof step, "mount %s on %s", field[3], field[2]);
	unsigned long flags = strtoul(field[4], NULL, 10);
	if (field[6][0] && chdir(field[6]) < 0)
		return fail("chdir to the mount's base directory");
	int result = mount(field[1], field[2], field[3], flags, field[5][0] ? field[5] : NULL);
	int saved = errno;
	if (chdir("/") < 0) {
		/* Cannot happen for "/"; without it later relative paths would be wrong. */
		exit(1);
	}
	errno = saved;
	if (result < 0)
		return fail(step);
	answer(0, "");
}

static void do_umount(char **field)
{
	char step[4096];
	snprintf(step, sizeof step, "umount %s", field[1]);
	if (umount2(field[1], (int)strtol(field[2], NULL, 10)) < 0)
		return fail(step);
	answer(0, "");
}

static void do_netns(char **field)
{
	char step[4096];
	if (unshare(CLONE_NEWNET) < 0)
		return fail("unshare the network namespace");
	const char *failed = NULL;
	int saved = 0;
	if (set_loopback_up() < 0)
		failed = "set lo up in the new network namespace";
	else if (mount("/proc/thread-self/ns/net", field[1], NULL, MS_BIND, NULL) < 0) {
		snprintf(step, sizeof step, "bind mount the network namespace on %s", field[1]);
		failed = step;
	}
	saved = errno;
	/* Back to the host's namespace: every later request must run there. */
	if (setns(host_netns, CLONE_NEWNET) < 0)
		exit(1);
	if (failed) {
		errno = saved;
		return fail(failed);
	}
	answer(0, "");
}

int main(void)
{
	host_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (host_netns < 0) {
		perror("berth-mounter: open /proc/self/ns/net");
		return 1;
	}
	if (chdir("/") < 0)
		return 1;
	for (;;) {
		uint32_t count;
		if (read_full(&count, sizeof count) < 0)
			return 0; /* EOF: berthd is gone */
		if (count == 0 || count > MAX_FIELDS)
			return 1; /* a protocol error: the stream can no longer be trusted */
		char *field[MAX_FIELDS] = { 0 };
		for (uint32_t i = 0; i < count; i++) {
			uint32_t length;
			if (read_full(&length, sizeof length) < 0 || length > MAX_FIELD)
				return 1;
			field[i] = malloc(length + 1);
			if (!field[i] || read_full(field[i], length) < 0)
				return 1;
			field[i][length] = '\0';
		}
		const char *op = field[0];
		if (strcmp(op, "mount") == 0 && count == 7)
			do_mount(field);
		else if (strcmp(op, "umount") == 0 && count == 3)
			do_umount(field);
		else if (strcmp(op, "netns") == 0 && count == 2)
			do_netns(field);
		else {
			errno = EINVAL;
			fail(op);
		}
		for (uint32_t i = 0; i < count; i++)
			free(field[i]);
	}
}
