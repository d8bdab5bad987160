/* A pty for the container, its master sent to the runtime's console socket as runc does. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>
#include "init.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* Connected before pivot_root: the socket's path is on the host. */
int connect_console_socket(const struct plan *plan)
{
	const struct record *r = plan_find(plan, PLAN_CONSOLE_SOCKET);
	if (!r)
		return -1;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(r->data) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		fail("console socket", "%s", r->data);
	}
	strcpy(addr.sun_path, r->data);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail("console socket", "socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		fail("console socket", "connect %s", r->data);
	return fd;
}

static void send_fd(int socket, int fd, const char *name)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	if (sendmsg(socket, &msg, 0) < 0)
		fail("console socket", "send pty master");
}

/* /dev/console is the container's pty, as on a host whose console is its terminal. */
static void bind_console(const char *pty)
{
	int fd = open("/dev/console", O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		fail("terminal", "create /dev/console");
	close(fd);
	if (mount(pty, "/dev/console", NULL, MS_BIND, NULL) < 0)
		fail("terminal", "bind %s to /dev/console", pty);
}

/* Opened inside the container's /dev/pts, so the pty belongs to the container's devpts. */
void setup_terminal(const struct plan *plan, int console_socket)
{
	if (console_socket < 0)
		return;
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		fail("terminal", "open /dev/ptmx");
	int unlock = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		fail("terminal", "unlock pty");
	int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (slave < 0)
		fail("terminal", "open pty peer");
	int number = 0;
	char name[64] = "/dev/pts/?";
	if (ioctl(master, TIOCGPTN, &number) == 0)
		snprintf(name, sizeof(name), "/dev/pts/%d", number);
	const struct record *size = plan_find(plan, PLAN_CONSOLE_SIZE);
	if (size && size->length >= 4) {
		struct winsize ws = { 0 };
		memcpy(&ws.ws_row, size->data, 2);
		memcpy(&ws.ws_col, size->data + 2, 2);
		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			fail("terminal", "set window size");
	}
	bind_console(name);
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		fail("terminal", "make controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			fail("terminal", "dup2 to %d", fd);
	if (slave > 2)
		close(slave);
	send_fd(console_socket, master, name);
	close(master);
	close(console_socket);
}
