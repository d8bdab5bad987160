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
 *   "spawn"  socket token argv...                  a detached program (berth-monitor), whose
 *                                                  fds 3 and 4 are connections to berthd's
 *                                                  unix socket, each first saying token + "3"
 *                                                  or token + "4"; its stdio is /dev/null
 * An answer: i32 errno (0: done), u32 length, a message naming the step that failed (spawn:
 * the pid when done).
 *
 * "spawn" is there because a fork of berthd, a large process with threads, holds its event
 * loop for milliseconds per container; a fork of this small one does not. Node cannot pass a
 * socket to a child it did not fork, so the child's sockets are connections back to berthd,
 * told apart by the token. Spawned programs are not waited for: SIGCHLD is ignored here, so
 * the kernel reaps them, and each gets the default disposition back before its exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FIELDS 64
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

/* A connection to the unix socket at `path` (a leading '@' names an abstract one) that has said `hello`. */
static int connect_back(const char *path, const char *hello)
{
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	size_t length = strlen(path);
	if (length == 0 || length >= sizeof(address.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(address.sun_path, path, length);
	if (path[0] == '@')
		address.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	socklen_t size = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + length);
	int connected = connect(fd, (struct sockaddr *)&address, size);
	/* An abstract name is all of its bytes: Node 20 binds it padded with NULs to the full size. */
	if (connected < 0 && errno == ECONNREFUSED && path[0] == '@')
		connected = connect(fd, (struct sockaddr *)&address, sizeof address);
	if (connected < 0 || write(fd, hello, strlen(hello)) != (ssize_t)strlen(hello)) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static void do_spawn(char **field, uint32_t count)
{
	char hello[2][512];
	snprintf(hello[0], sizeof hello[0], "%s3", field[2]);
	snprintf(hello[1], sizeof hello[1], "%s4", field[2]);
	int plan = connect_back(field[1], hello[0]);
	if (plan < 0)
		return fail("connect the program's fd 3 to berthd");
	int ready = connect_back(field[1], hello[1]);
	if (ready < 0) {
		int saved = errno;
		close(plan);
		errno = saved;
		return fail("connect the program's fd 4 to berthd");
	}
	/* The child says why its exec failed here; a successful exec closes it (O_CLOEXEC). */
	int status[2];
	if (pipe2(status, O_CLOEXEC) < 0) {
		close(plan);
		close(ready);
		return fail("pipe");
	}
	char *argv[MAX_FIELDS];
	uint32_t argc = 0;
	for (uint32_t i = 3; i < count; i++)
		argv[argc++] = field[i];
	argv[argc] = NULL;
	char *envp[] = { NULL };
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGCHLD, SIG_DFL);
		setsid();
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		/* dup2 clears O_CLOEXEC on the copies: fds 0-4 are what the program gets. */
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 || dup2(plan, 3) < 0 || dup2(ready, 4) < 0) {
			int error = errno;
			(void)!write(status[1], &error, sizeof error);
			_exit(127);
		}
		execve(argv[0], argv, envp);
		int error = errno;
		(void)!write(status[1], &error, sizeof error);
		_exit(127);
	}
	int saved = errno;
	close(plan);
	close(ready);
	close(status[1]);
	if (pid < 0) {
		close(status[0]);
		errno = saved;
		return fail("fork");
	}
	int error = 0;
	ssize_t n;
	do
		n = read(status[0], &error, sizeof error);
	while (n < 0 && errno == EINTR);
	close(status[0]);
	if (n == sizeof error) {
		char step[4096 + 64];
		snprintf(step, sizeof step, "exec %s", argv[0]);
		errno = error;
		return fail(step);
	}
	char message[32];
	snprintf(message, sizeof message, "%d", (int)pid);
	answer(0, message);
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
	/* Spawned programs are reaped by the kernel (see "spawn"). */
	signal(SIGCHLD, SIG_IGN);
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
		else if (strcmp(op, "spawn") == 0 && count >= 4)
			do_spawn(field, count);
		else {
			errno = EINVAL;
			fail(op);
		}
		for (uint32_t i = 0; i < count; i++)
			free(field[i]);
	}
}
