/*
 * The monitor's socket: clients connect, send records (include/berth_monitor.h) and receive
 * the container's output once attached. Everything is non-blocking and driven by the poll loop
 * in main.c: a client that does not read has its output buffered up to
 * MONITOR_CLIENT_BUFFER_MAX and is then disconnected, so the container never waits for it.
 * Stdin data from clients goes through one bounded buffer; while it is full, clients are not
 * read, which pushes back on them instead of on the monitor's memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include "monitor.h"

#define CLIENTS_MAX 64
#define STDIN_BUFFER_SIZE (64 * 1024)
#define READ_CHUNK (16 * 1024)

struct client {
	int fd; /* -1: free slot */
	uint32_t flags;
	unsigned char header[sizeof(struct monitor_record_header)];
	size_t header_got;
	int in_payload;
	uint32_t type;
	uint32_t remaining;
	unsigned char control[MONITOR_CONTROL_PAYLOAD_MAX];
	size_t control_got;
	char *out;
	size_t out_len, out_cap;
	int shut; /* half-closed after EXIT */
};

pid_t container_pid;
int pty_master = -1;
uint16_t pending_rows, pending_cols;

static struct client clients[CLIENTS_MAX];
static int client_total;
static int listen_fd = -1;
static const char *listen_path;
/* Which client each poll entry from attach_poll_entries is; -1 for the listener. */
static int entry_client[CLIENTS_MAX + 1];

static int stdin_open;      /* accepting STDIN_DATA */
static int stdin_fd_ = -1;  /* where it goes (the pipe, or the pty master once it arrived) */
static int stdin_is_tty;
static int stdin_close_pending;
static char stdin_buffer[STDIN_BUFFER_SIZE];
static size_t stdin_length;

int attach_listen(const char *path)
{
	int fd = listen_unix(path, 16);
	if (fd < 0)
		return -1;
	listen_path = path;
	listen_fd = fd;
	return fd;
}

void attach_init(int stdin_write_fd, int tty)
{
	for (int i = 0; i < CLIENTS_MAX; i++)
		clients[i].fd = -1;
	stdin_is_tty = tty;
	stdin_fd_ = stdin_write_fd;
	stdin_open = tty || stdin_write_fd >= 0;
}

void stdin_set_pty(int master)
{
	stdin_fd_ = master;
}

int stdin_pending(void)
{
	return stdin_fd_ >= 0 && stdin_length > 0;
}

int stdin_fd(void)
{
	return stdin_fd_;
}

static void stdin_close(void)
{
	stdin_open = 0;
	stdin_length = 0;
	if (!stdin_is_tty && stdin_fd_ >= 0)
		close(stdin_fd_);
	if (!stdin_is_tty)
		stdin_fd_ = -1;
}

void stdin_flush(void)
{
	if (stdin_fd_ < 0)
		return;
	while (stdin_length > 0) {
		ssize_t n = write(stdin_fd_, stdin_buffer, stdin_length);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			stdin_close(); /* the container closed its stdin: drop what it will never read */
			return;
		}
		memmove(stdin_buffer, stdin_buffer + n, stdin_length - (size_t)n);
		stdin_length -= (size_t)n;
	}
	if (stdin_close_pending)
		stdin_close();
}

static void client_disconnect(struct client *c)
{
	close(c->fd);
	free(c->out);
	*c = (struct client){ .fd = -1 };
	client_total--;
}

int attach_client_count(void)
{
	return client_total;
}

/* Queues what a non-blocking send could not take; disconnects a client that fell too far behind. */
static void client_queue(struct client *c, const char *data, size_t n)
{
	if (c->out_len + n > MONITOR_CLIENT_BUFFER_MAX) {
		client_disconnect(c);
		return;
	}
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 16 * 1024;
		while (cap < c->out_len + n)
			cap *= 2;
		char *grown = realloc(c->out, cap);
		if (!grown) {
			client_disconnect(c);
			return;
		}
		c->out = grown;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, n);
	c->out_len += n;
}

static void client_send(struct client *c, uint32_t type, const void *data, size_t n)
{
	struct monitor_record_header header = { .type = type, .length = (uint32_t)n };
	size_t sent = 0;
	if (c->out_len == 0) {
		struct iovec iov[2] = { { &header, sizeof(header) }, { (void *)data, n } };
		struct msghdr msg = { .msg_iov = iov, .msg_iovlen = n ? 2 : 1 };
		ssize_t w = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			client_disconnect(c);
			return;
		}
		if (w > 0)
			sent = (size_t)w;
	}
	if (sent < sizeof(header)) {
		client_queue(c, (const char *)&header + sent, sizeof(header) - sent);
		if (c->fd < 0)
			return;
		sent = 0;
	} else {
		sent -= sizeof(header);
	}
	if (sent < n)
		client_queue(c, (const char *)data + sent, n - sent);
}

static void client_flush(struct client *c)
{
	while (c->out_len > 0) {
		ssize_t w = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			client_disconnect(c);
			return;
		}
		memmove(c->out, c->out + w, c->out_len - (size_t)w);
		c->out_len -= (size_t)w;
	}
	if (c->out_cap > 64 * 1024) { /* give a burst's memory back */
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
}

void attach_broadcast_output(enum stream s, const char *data, size_t n)
{
	uint32_t flag = s == STREAM_STDOUT ? MONITOR_ATTACH_STDOUT : MONITOR_ATTACH_STDERR;
	uint32_t type = s == STREAM_STDOUT ? MONITOR_STDOUT_DATA : MONITOR_STDERR_DATA;
	for (int i = 0; i < CLIENTS_MAX; i++)
		if (clients[i].fd >= 0 && (clients[i].flags & flag))
			client_send(&clients[i], type, data, n);
}

void attach_broadcast_exit(int32_t exit_code, uint32_t oom)
{
	uint32_t payload[2];
	memcpy(&payload[0], &exit_code, 4);
	payload[1] = oom;
	for (int i = 0; i < CLIENTS_MAX; i++)
		if (clients[i].fd >= 0)
			client_send(&clients[i], MONITOR_EXIT, payload, sizeof(payload));
}

static uint32_t control_u32(const struct client *c)
{
	uint32_t v = 0;
	if (c->control_got >= 4)
		memcpy(&v, c->control, 4);
	return v;
}

static void record_complete(struct client *c)
{
	switch (c->type) {
	case MONITOR_CONTAINER_PID:
		if (c->control_got >= 4 && !container_pid)
			container_pid = (pid_t)control_u32(c);
		break;
	case MONITOR_ATTACH:
		c->flags = control_u32(c);
		client_send(c, MONITOR_ATTACHED, NULL, 0);
		break;
	case MONITOR_STDIN_CLOSE:
		if (stdin_is_tty || !stdin_open)
			break; /* a pty stays open: closing the master would hang the terminal up */
		stdin_close_pending = 1;
		stdin_flush();
		if (stdin_length == 0)
			stdin_close();
		break;
	case MONITOR_RESIZE:
		if (c->control_got >= 4) {
			uint16_t rows, cols;
			memcpy(&rows, c->control, 2);
			memcpy(&cols, c->control + 2, 2);
			if (pty_master >= 0)
				console_resize(pty_master, rows, cols);
			else
				pending_rows = rows, pending_cols = cols;
		}
		break;
	default: /* MONITOR_STDIN_DATA (streamed), MONITOR_WAIT, and records of later versions */
		break;
	}
}

/* Returns -1 if the client was disconnected for a malformed record. */
static int client_input(struct client *c, const unsigned char *p, size_t n)
{
	while (n > 0) {
		if (!c->in_payload) {
			size_t take = sizeof(c->header) - c->header_got;
			if (take > n)
				take = n;
			memcpy(c->header + c->header_got, p, take);
			c->header_got += take;
			p += take;
			n -= take;
			if (c->header_got < sizeof(c->header))
				continue;
			struct monitor_record_header h;
			memcpy(&h, c->header, sizeof(h));
			c->header_got = 0;
			c->type = h.type;
			c->remaining = h.length;
			c->control_got = 0;
			if (h.type != MONITOR_STDIN_DATA && h.length > MONITOR_CONTROL_PAYLOAD_MAX) {
				client_disconnect(c);
				return -1;
			}
			c->in_payload = 1;
		} else {
			size_t take = c->remaining < n ? c->remaining : n;
			if (c->type == MONITOR_STDIN_DATA) {
				if (stdin_open && !stdin_close_pending) {
					/* attach_handle reads no more than the buffer has room for */
					memcpy(stdin_buffer + stdin_length, p, take);
					stdin_length += take;
				}
			} else {
				memcpy(c->control + c->control_got, p, take);
				c->control_got += take;
			}
			p += take;
			n -= take;
			c->remaining -= (uint32_t)take;
		}
		if (c->in_payload && c->remaining == 0) {
			c->in_payload = 0;
			record_complete(c);
		}
	}
	return 0;
}

static size_t stdin_room(void)
{
	return STDIN_BUFFER_SIZE - stdin_length;
}

int attach_poll_entries(struct pollfd *fds, int max, int accepting)
{
	int n = 0;
	if (accepting && listen_fd >= 0 && n < max) {
		entry_client[n] = -1;
		fds[n++] = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
	}
	for (int i = 0; i < CLIENTS_MAX && n < max; i++) {
		struct client *c = &clients[i];
		if (c->fd < 0)
			continue;
		short events = 0;
		if (stdin_room() > 0)
			events |= POLLIN;
		if (c->out_len > 0)
			events |= POLLOUT;
		entry_client[n] = i;
		fds[n++] = (struct pollfd){ .fd = c->fd, .events = events };
	}
	return n;
}

static void accept_clients(void)
{
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return;
		int slot = -1;
		for (int i = 0; i < CLIENTS_MAX; i++)
			if (clients[i].fd < 0) {
				slot = i;
				break;
			}
		if (slot < 0) {
			close(fd);
			continue;
		}
		clients[slot] = (struct client){ .fd = fd };
		client_total++;
	}
}

static void client_read(struct client *c)
{
	static unsigned char buffer[READ_CHUNK];
	size_t room = stdin_room();
	if (room == 0)
		return;
	ssize_t n = read(c->fd, buffer, room < sizeof(buffer) ? room : sizeof(buffer));
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		client_disconnect(c);
		return;
	}
	if (n > 0 && client_input(c, buffer, (size_t)n) == 0)
		stdin_flush();
}

void attach_handle(struct pollfd *fds, int count)
{
	for (int i = 0; i < count; i++) {
		if (!fds[i].revents)
			continue;
		if (entry_client[i] < 0) {
			accept_clients();
			continue;
		}
		struct client *c = &clients[entry_client[i]];
		if (c->fd != fds[i].fd)
			continue; /* disconnected earlier in this round */
		if (fds[i].revents & POLLOUT)
			client_flush(c);
		if (c->fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
			if ((fds[i].revents & (POLLHUP | POLLERR)) && !(fds[i].revents & POLLIN))
				client_disconnect(c);
			else
				client_read(c);
		}
	}
}

void attach_stop_listening(void)
{
	if (listen_fd < 0)
		return;
	close(listen_fd);
	listen_fd = -1;
	unlink(listen_path);
}

void attach_flush_and_close(int timeout_ms)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd fds[CLIENTS_MAX];
		int map[CLIENTS_MAX];
		int n = 0;
		for (int i = 0; i < CLIENTS_MAX; i++)
			if (clients[i].fd >= 0 && clients[i].out_len > 0) {
				map[n] = i;
				fds[n++] = (struct pollfd){ .fd = clients[i].fd, .events = POLLOUT };
			}
		clock_gettime(CLOCK_MONOTONIC, &now);
		long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (n == 0 || elapsed >= timeout_ms)
			break;
		if (poll(fds, (nfds_t)n, (int)(timeout_ms - elapsed)) <= 0)
			continue;
		for (int i = 0; i < n; i++)
			if (fds[i].revents)
				client_flush(&clients[map[i]]);
	}
	/*
	 * Half-close and wait for each client to close its side: closing at once would turn a
	 * client's late write (a WAIT, stdin) into a reset that discards the EXIT it has not read.
	 */
	struct pollfd fds[CLIENTS_MAX];
	int map[CLIENTS_MAX];
	for (;;) {
		int n = 0;
		for (int i = 0; i < CLIENTS_MAX; i++)
			if (clients[i].fd >= 0) {
				if (!clients[i].shut)
					shutdown(clients[i].fd, SHUT_WR), clients[i].shut = 1;
				map[n] = i;
				fds[n++] = (struct pollfd){ .fd = clients[i].fd, .events = POLLIN };
			}
		clock_gettime(CLOCK_MONOTONIC, &now);
		long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (n == 0 || elapsed >= timeout_ms || poll(fds, (nfds_t)n, (int)(timeout_ms - elapsed)) <= 0)
			break;
		for (int i = 0; i < n; i++) {
			if (!fds[i].revents)
				continue;
			char discard[4096];
			ssize_t r = read(fds[i].fd, discard, sizeof(discard));
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
				client_disconnect(&clients[map[i]]);
		}
	}
	for (int i = 0; i < CLIENTS_MAX; i++)
		if (clients[i].fd >= 0)
			client_disconnect(&clients[i]);
}
