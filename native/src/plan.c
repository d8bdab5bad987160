/* Reading the plan: records of struct record_header + payload until PLAN_END. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "init.h"

static void read_exact(int fd, void *buf, size_t n)
{
	char *p = buf;
	while (n > 0) {
		ssize_t got = read(fd, p, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			fail("read plan", "fd %d", fd);
		if (got == 0) {
			errno = EPIPE;
			fail("read plan", "the runtime closed the plan before its end");
		}
		p += got;
		n -= (size_t)got;
	}
}

void plan_read(int fd, struct plan *plan)
{
	size_t capacity = 64, used = 0, total = 0;
	plan->records = calloc(capacity, sizeof(*plan->records));
	/* Offsets first, then one buffer: records point into it once reading is complete. */
	size_t *offsets = calloc(capacity, sizeof(*offsets));
	char *buffer = NULL;
	if (!plan->records || !offsets)
		fail("read plan", "out of memory");
	for (;;) {
		struct record_header h;
		read_exact(fd, &h, sizeof(h));
		if (h.type == PLAN_END)
			break;
		if (h.length > BERTH_PLAN_MAX_BYTES || total + h.length > BERTH_PLAN_MAX_BYTES) {
			errno = E2BIG;
			fail("read plan", "record %u of %u bytes", h.type, h.length);
		}
		if (used == capacity) {
			capacity *= 2;
			plan->records = realloc(plan->records, capacity * sizeof(*plan->records));
			offsets = realloc(offsets, capacity * sizeof(*offsets));
			if (!plan->records || !offsets)
				fail("read plan", "out of memory");
		}
		/* +1: every payload is NUL-terminated so that string reads never run off its end. */
		buffer = realloc(buffer, total + h.length + 1);
		if (!buffer)
			fail("read plan", "out of memory");
		read_exact(fd, buffer + total, h.length);
		buffer[total + h.length] = '\0';
		plan->records[used].type = h.type;
		plan->records[used].length = h.length;
		offsets[used] = total;
		total += h.length + 1;
		used++;
	}
	for (size_t i = 0; i < used; i++)
		plan->records[i].data = buffer + offsets[i];
	free(offsets);
	plan->buffer = buffer;
	plan->count = used;
}

const struct record *plan_find(const struct plan *plan, uint32_t type)
{
	for_each_record(plan, type, r) return r;
	return NULL;
}

const char *record_string(const struct record *r, size_t *offset)
{
	if (*offset >= r->length + 1u) {
		errno = EINVAL;
		fail("read plan", "record %u: string past its end", r->type);
	}
	const char *s = r->data + *offset;
	*offset += strlen(s) + 1;
	return s;
}

uint32_t record_u32(const struct record *r, size_t offset)
{
	uint32_t v;
	if (offset + sizeof(v) > r->length) {
		errno = EINVAL;
		fail("read plan", "record %u: too short", r->type);
	}
	memcpy(&v, r->data + offset, sizeof(v));
	return v;
}

uint64_t record_u64(const struct record *r, size_t offset)
{
	uint64_t v;
	if (offset + sizeof(v) > r->length) {
		errno = EINVAL;
		fail("read plan", "record %u: too short", r->type);
	}
	memcpy(&v, r->data + offset, sizeof(v));
	return v;
}

/* Records the runtime sends later (with SYNC_CONTINUE), once it knows what they need. */
void plan_append(struct plan *plan, const char *data, size_t length)
{
	size_t off = 0, extra = 0;
	while (off + sizeof(struct record_header) <= length) {
		struct record_header h;
		memcpy(&h, data + off, sizeof(h));
		off += sizeof(h) + h.length;
		extra++;
	}
	if (off != length) {
		errno = EPROTO;
		fail("read plan", "malformed records after hooks");
	}
	plan->records = realloc(plan->records, (plan->count + extra) * sizeof(*plan->records));
	if (!plan->records)
		fail("read plan", "out of memory");
	for (off = 0; off < length;) {
		struct record_header h;
		memcpy(&h, data + off, sizeof(h));
		/* Copied with a NUL after each payload, like plan_read's records. */
		char *payload = malloc(h.length + 1);
		if (!payload)
			fail("read plan", "out of memory");
		memcpy(payload, data + off + sizeof(h), h.length);
		payload[h.length] = '\0';
		plan->records[plan->count++] = (struct record){ h.type, h.length, payload };
		off += sizeof(h) + h.length;
	}
}
