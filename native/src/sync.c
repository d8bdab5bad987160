/* Messages to the runtime on the plan socket; failures travel as data, "step: detail: error". */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "init.h"

static int sync_fd = BERTH_PLAN_FD;

void sync_send(uint32_t type, const void *data, uint32_t length)
{
	if (sync_fd < 0)
		return;
	struct record_header h = { .type = type, .length = length };
	char frame[sizeof(h) + 4096];
	if (length > sizeof(frame) - sizeof(h))
		length = h.length = sizeof(frame) - sizeof(h);
	memcpy(frame, &h, sizeof(h));
	if (length)
		memcpy(frame + sizeof(h), data, length);
	/* One write: the frame is small, so it cannot interleave with the other stage's frames. */
	size_t n = sizeof(h) + length;
	while (write(sync_fd, frame, n) < 0 && errno == EINTR)
		;
}

static void read_all(void *buf, size_t n)
{
	char *p = buf;
	while (n > 0) {
		ssize_t got = read(sync_fd, p, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == 0)
				errno = EPIPE;
			fail("wait for runtime", "read continue");
		}
		p += got;
		n -= (size_t)got;
	}
}

/* SYNC_CONTINUE carries records the runtime could only compute now (startContainer hooks). */
void sync_wait_continue(struct plan *plan)
{
	struct record_header h;
	read_all(&h, sizeof(h));
	if (h.type != SYNC_CONTINUE || h.length > BERTH_PLAN_MAX_BYTES) {
		errno = EPROTO;
		fail("wait for runtime", "expected continue after hooks, got record %u", h.type);
	}
	char *payload = malloc(h.length ? h.length : 1);
	if (!payload)
		fail("wait for runtime", "out of memory");
	read_all(payload, h.length);
	plan_append(plan, payload, h.length);
	free(payload);
}

void sync_close(void)
{
	if (sync_fd >= 0)
		close(sync_fd);
	sync_fd = -1;
}

static _Noreturn void vfail(int status, const char *step, const char *fmt, va_list ap)
{
	int saved = errno;
	/* The exit status leads the record: stage 0 may exit 0 before stage 1 fails. */
	char record[4 + 1024];
	uint32_t status32 = (uint32_t)status;
	memcpy(record, &status32, 4);
	char *message = record + 4;
	size_t size = sizeof(record) - 4;
	int n = snprintf(message, size, "%s: ", step);
	n += vsnprintf(message + n, size - (size_t)n, fmt, ap);
	if (saved && (size_t)n < size)
		snprintf(message + n, size - (size_t)n, ": %s", strerror(saved));
	if (sync_fd >= 0)
		sync_send(SYNC_ERROR, record, (uint32_t)(4 + strlen(message)));
	else
		dprintf(STDERR_FILENO, "berth-init: %s\n", message);
	_exit(status);
}

void fail(const char *step, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(1, step, fmt, ap);
}

void fail_with_status(int status, const char *step, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(status, step, fmt, ap);
}
