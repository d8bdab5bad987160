/*
 * berth-recvtty: receives a container's pty master on a --console-socket (as runc's recvtty
 * does) and connects it to this terminal: stdin to the pty, the pty to stdout, until the
 * container closes its side. Used by the tests and by people running berth-runtime by hand.
 *
 *   berth-recvtty SOCKET_PATH      (then: berth-runtime run --console-socket SOCKET_PATH ...)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "fd-passing.h"

static int die(const char *what)
{
	fprintf(stderr, "berth-recvtty: %s: %s\n", what, strerror(errno));
	return 1;
}

/* Copies one chunk; returns 0 at end of input (EIO is how a pty says its slave closed). */
static int copy(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n <= 0)
		return 0;
	for (ssize_t done = 0; done < n;) {
		ssize_t w = write(to, buf + done, (size_t)(n - done));
		if (w < 0)
			return 0;
		done += w;
	}
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: berth-recvtty SOCKET_PATH\n");
		return 2;
	}
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "berth-recvtty: socket path too long\n");
		return 2;
	}
	strcpy(addr.sun_path, argv[1]);
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(sock, 1) < 0)
		return die("listen");
	int conn = accept(sock, NULL, NULL);
	unlink(argv[1]);
	if (conn < 0)
		return die("accept");
	int master = receive_fd(conn);
	if (master < 0)
		return die("receive pty master");
	close(conn);
	close(sock);

	struct pollfd fds[2] = { { .fd = master, .events = POLLIN }, { .fd = STDIN_FILENO, .events = POLLIN } };
	int nfds = 2;
	for (;;) {
		if (poll(fds, (nfds_t)nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			return die("poll");
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (!copy(master, STDOUT_FILENO))
				return 0;
		}
		if (nfds == 2 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (!copy(STDIN_FILENO, master))
				nfds = 1; /* stdin ended; keep showing the container's output */
		}
	}
}
