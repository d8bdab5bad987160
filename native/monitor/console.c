/*
 * The container's pty: berth-init opens it inside the container's devpts and sends the master
 * over the console socket by SCM_RIGHTS (native/src/terminal.c); the monitor listens there and
 * keeps the master, which is then the container's stdin and its only output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>
#include "fd-passing.h"
#include "monitor.h"

int console_listen(const char *path)
{
	return listen_unix(path, 1);
}

int console_receive(int listen_fd, const char *path)
{
	int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return -1;
	/* berth-init sends the master right after connecting; wait for it without the poll loop. */
	struct timeval timeout = { .tv_sec = 10 };
	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	int master = receive_fd(conn);
	int saved = errno;
	close(conn);
	if (master < 0) {
		errno = saved;
		return -1;
	}
	close(listen_fd);
	unlink(path);
	set_nonblocking(master);
	return master;
}

void console_resize(int master, uint16_t rows, uint16_t cols)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols };
	if (ioctl(master, TIOCSWINSZ, &ws) < 0)
		warn("resize pty", NULL);
}
