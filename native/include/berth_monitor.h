/*
 * The protocol between berthd (TypeScript) and berth-monitor, the per-container process that
 * holds a container's stdio or pty, writes its json-file log and records its exit.
 * Mirrored in src/monitor/protocol.ts: change both together.
 *
 * Clients connect to the monitor's --socket (a unix stream socket) and exchange records, each a
 * struct monitor_record_header followed by `length` payload bytes. Integers are little-endian
 * (host order: the socket never leaves the machine). Several clients may be connected at once.
 *
 *   client -> monitor                      monitor -> client
 *   MONITOR_CONTAINER_PID  u32 pid         MONITOR_STDOUT_DATA  bytes
 *   MONITOR_ATTACH         u32 flags       MONITOR_STDERR_DATA  bytes
 *   MONITOR_STDIN_DATA     bytes           MONITOR_EXIT         i32 exit code, u32 oom killed
 *   MONITOR_STDIN_CLOSE    empty          MONITOR_ATTACHED     empty
 *   MONITOR_RESIZE         u16 rows, u16 cols
 *   MONITOR_WAIT           empty
 *
 * An attached client receives output produced from then on, never what came before (that is
 * in the log); MONITOR_ATTACHED answers MONITOR_ATTACH once that holds, so that a client which
 * waits for it before starting the container misses none of its output. Every connected client receives MONITOR_EXIT when the container has exited and
 * its output is drained; the monitor then exits. A client whose unsent output exceeds
 * MONITOR_CLIENT_BUFFER_MAX is disconnected rather than allowed to stall the container.
 */
#ifndef BERTH_MONITOR_H
#define BERTH_MONITOR_H

#include <stdint.h>

/* If open when the monitor starts, it writes one byte here and closes it once listening. */
#define MONITOR_READY_FD 4

#define MONITOR_CLIENT_BUFFER_MAX (1u << 20)
/* Payload bound for records other than MONITOR_STDIN_DATA (which is streamed). */
#define MONITOR_CONTROL_PAYLOAD_MAX 64u

struct monitor_record_header {
	uint32_t type;
	uint32_t length;
};

enum monitor_record_type {
	/* client -> monitor */
	MONITOR_CONTAINER_PID = 1,  /* u32: the container process, as the runtime reported it */
	MONITOR_ATTACH = 2,         /* u32 MONITOR_ATTACH_* flags */
	MONITOR_STDIN_DATA = 3,     /* bytes for the container's stdin */
	MONITOR_STDIN_CLOSE = 4,    /* empty: close the container's stdin (ignored with a tty) */
	MONITOR_RESIZE = 5,         /* u16 rows, u16 cols: TIOCSWINSZ on the pty master */
	MONITOR_WAIT = 6,           /* empty: the client only wants MONITOR_EXIT */
	/* monitor -> client */
	MONITOR_STDOUT_DATA = 101,  /* bytes the container wrote to stdout (or its pty) */
	MONITOR_STDERR_DATA = 102,  /* bytes the container wrote to stderr */
	MONITOR_EXIT = 103,         /* i32 exit code (code, or 128 + signal), u32 1 if OOM-killed */
	MONITOR_ATTACHED = 104,     /* empty: the answer to MONITOR_ATTACH */
};

enum monitor_attach_flags {
	MONITOR_ATTACH_STDIN = 1,
	MONITOR_ATTACH_STDOUT = 2,
	MONITOR_ATTACH_STDERR = 4,
};

#endif
