/*
 * berth-monitor: one per container, detached from berthd so that it outlives it (like
 * containerd-shim or conmon). It forks berth-init with the container's stdio, becomes the
 * container's subreaper, writes its output to a json-file log and to attached clients, and
 * records its exit. The protocol is in include/berth_monitor.h; every path it uses comes from
 * its command line, computed by TypeScript.
 */
#ifndef BERTH_MONITOR_INTERNAL_H
#define BERTH_MONITOR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include "berth_monitor.h"

/* text.c: string building without printf (see there why). */
struct text {
	char *data;
	size_t size;
	size_t length;
};
#define TEXT(buffer) ((struct text){ .data = (buffer), .size = sizeof(buffer), .length = 0 })
void text_str(struct text *t, const char *s);
void text_bytes(struct text *t, const char *s, size_t n);
void text_uint(struct text *t, unsigned long long v, int width);
void text_int(struct text *t, long long v);

/* main.c */
/* "berth-monitor: what: strerror(errno)" on stderr. */
void warn(const char *what, const char *path);
void set_nonblocking(int fd);
/* Writes all of data to a blocking fd; -1 on error. */
int write_all(int fd, const void *data, size_t n);

/* log.c: the json-file log, Docker's format and rotation. */
enum stream { STREAM_STDOUT = 0, STREAM_STDERR = 1 };
/* Opens the log; returns -1 with errno set on failure. max_size 0: no rotation. */
int log_open(const char *path, uint64_t max_size, unsigned max_files);
/* Output read from a stream: whole lines are logged, a partial one waits for its newline. */
void log_output(enum stream s, const char *data, size_t n);
/* The stream ended: log what is left of its last line. */
void log_end(enum stream s);
/* RFC 3339 with nanoseconds, UTC: 2026-11-23T10:00:00.123456789Z */
void format_time(char *buf, size_t size, const struct timespec *ts);

/* console.c: the pty master, sent by berth-init over the console socket. */
int console_listen(const char *path);
/* Accepts berth-init's connection and receives the master; -1 if that failed. */
int console_receive(int listen_fd, const char *path);
void console_resize(int master, uint16_t rows, uint16_t cols);

/* exit.c: children reaped before the container's pid is known, the exit file. */
void reaped_remember(pid_t pid, int status);
/* The wait status of an already reaped pid; 0 if found. */
int reaped_lookup(pid_t pid, int *status);
int exit_code_of(int status);
int oom_killed(const char *oom_file);
void write_exit_file(const char *path, int status, int oom, const struct timespec *finished);

/* attach.c: the client socket, attached clients and the container's stdin. */
struct pollfd;
int attach_listen(const char *path);
void attach_init(int stdin_write_fd, int tty);
/* Poll entries for the listener and clients; returns how many were added. */
int attach_poll_entries(struct pollfd *fds, int max, int accepting);
void attach_handle(struct pollfd *fds, int count);
/* The container's stdin: poll entry, if it has data pending. */
int stdin_pending(void);
int stdin_fd(void);
/* The pty master arrived: stdin data goes there. */
void stdin_set_pty(int master);
void stdin_flush(void);
/* Sends output to clients attached to that stream. */
void attach_broadcast_output(enum stream s, const char *data, size_t n);
void attach_broadcast_exit(int32_t exit_code, uint32_t oom);
/* Writes what clients still have buffered, for at most timeout_ms, then disconnects them. */
void attach_flush_and_close(int timeout_ms);
void attach_stop_listening(void);
int attach_client_count(void);
/* Set by a MONITOR_CONTAINER_PID record; 0 until then. */
extern pid_t container_pid;
/* Set by MONITOR_RESIZE before the pty arrives; applied when it does. */
extern int pty_master;
extern uint16_t pending_rows, pending_cols;

/* socket.c */
int listen_unix(const char *path, int backlog);

#endif
