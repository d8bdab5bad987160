/*
 * Small text building without the printf family, which alone would double the size of this
 * static binary (and so its resident memory: every page of a small static text segment ends
 * up mapped). Output is truncated to the buffer and always NUL-terminated.
 */
#include <string.h>
#include "monitor.h"

void text_str(struct text *t, const char *s)
{
	text_bytes(t, s, strlen(s));
}

void text_bytes(struct text *t, const char *s, size_t n)
{
	if (t->size == 0)
		return;
	size_t room = t->size - 1 - t->length;
	if (n > room)
		n = room;
	memcpy(t->data + t->length, s, n);
	t->length += n;
	t->data[t->length] = 0;
}

void text_uint(struct text *t, unsigned long long v, int width)
{
	char digits[24];
	int n = 0;
	do {
		digits[sizeof(digits) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < width && n < (int)sizeof(digits))
		digits[sizeof(digits) - 1 - n++] = '0';
	text_bytes(t, digits + sizeof(digits) - n, (size_t)n);
}

void text_int(struct text *t, long long v)
{
	if (v < 0) {
		text_str(t, "-");
		text_uint(t, 0ULL - (unsigned long long)v, 0);
	} else {
		text_uint(t, (unsigned long long)v, 0);
	}
}
