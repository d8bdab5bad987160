/*
 * The json-file log, in Docker's format: one JSON object per line,
 *   {"log":"text\n","stream":"stdout","time":"2026-11-23T10:00:00.123456789Z"}
 * Output is split at newlines; a line longer than LINE_MAX is logged in chunks without the
 * trailing newline, as is the last line of a stream that ends without one (Docker's copier).
 * Rotation follows Docker's max-size/max-file: when a record would take the file past
 * max_size, log.(N-2) → log.(N-1), …, log → log.1, and a new log begins; with one file it is
 * truncated instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h> /* rename */
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "monitor.h"

#define LINE_MAX_BYTES (16 * 1024)
/* A record: the escaped line (at most 6 bytes per input byte) and the fixed parts. */
#define RECORD_MAX (LINE_MAX_BYTES * 6 + 128)

static int log_fd = -1;
static const char *log_path;
static uint64_t log_max_size;
static unsigned log_max_files = 1;
static uint64_t log_size;

static struct line {
	char data[LINE_MAX_BYTES];
	size_t length;
} lines[2];

static char record[RECORD_MAX];

static const char *const stream_names[] = { "stdout", "stderr" };

int log_open(const char *path, uint64_t max_size, unsigned max_files)
{
	log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (log_fd < 0)
		return -1;
	struct stat st;
	if (fstat(log_fd, &st) == 0)
		log_size = (uint64_t)st.st_size;
	log_path = path;
	log_max_size = max_size;
	log_max_files = max_files ? max_files : 1;
	return 0;
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm): no time zone code. */
static void civil_from_days(long days, long *y, unsigned *m, unsigned *d)
{
	days += 719468;
	long era = (days >= 0 ? days : days - 146096) / 146097;
	unsigned doe = (unsigned)(days - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long)yoe + era * 400 + (*m <= 2);
}

void format_time(char *buf, size_t size, const struct timespec *ts)
{
	long days = ts->tv_sec / 86400, seconds = ts->tv_sec % 86400;
	if (seconds < 0)
		seconds += 86400, days--;
	long year;
	unsigned month, day;
	civil_from_days(days, &year, &month, &day);
	struct text t = { .data = buf, .size = size };
	text_uint(&t, (unsigned long long)year, 4);
	text_str(&t, "-");
	text_uint(&t, month, 2);
	text_str(&t, "-");
	text_uint(&t, day, 2);
	text_str(&t, "T");
	text_uint(&t, (unsigned long long)(seconds / 3600), 2);
	text_str(&t, ":");
	text_uint(&t, (unsigned long long)(seconds / 60 % 60), 2);
	text_str(&t, ":");
	text_uint(&t, (unsigned long long)(seconds % 60), 2);
	text_str(&t, ".");
	text_uint(&t, (unsigned long long)ts->tv_nsec, 9);
	text_str(&t, "Z");
}

static size_t escape_json(char *out, const char *in, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		switch (c) {
		case '"': out[o++] = '\\'; out[o++] = '"'; break;
		case '\\': out[o++] = '\\'; out[o++] = '\\'; break;
		case '\n': out[o++] = '\\'; out[o++] = 'n'; break;
		case '\r': out[o++] = '\\'; out[o++] = 'r'; break;
		case '\t': out[o++] = '\\'; out[o++] = 't'; break;
		case '\b': out[o++] = '\\'; out[o++] = 'b'; break;
		case '\f': out[o++] = '\\'; out[o++] = 'f'; break;
		default:
			if (c < 0x20) {
				memcpy(out + o, "\\u00", 4);
				out[o + 4] = hex[c >> 4];
				out[o + 5] = hex[c & 15];
				o += 6;
			} else {
				out[o++] = (char)c;
			}
		}
	}
	return o;
}

/* log.N */
static void numbered(char *buf, size_t size, unsigned n)
{
	struct text t = { .data = buf, .size = size };
	text_str(&t, log_path);
	text_str(&t, ".");
	text_uint(&t, n, 0);
}

static void rotate(void)
{
	if (log_max_files <= 1) {
		if (ftruncate(log_fd, 0) < 0)
			warn("truncate", log_path);
		log_size = 0;
		return;
	}
	char from[4096], to[4096];
	for (unsigned i = log_max_files - 1; i > 1; i--) {
		numbered(from, sizeof(from), i - 1);
		numbered(to, sizeof(to), i);
		if (rename(from, to) < 0 && errno != ENOENT)
			warn("rename", from);
	}
	numbered(to, sizeof(to), 1);
	if (rename(log_path, to) < 0)
		warn("rename", log_path);
	int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0) {
		warn("open", log_path);
		return; /* keep writing to the renamed file rather than lose output */
	}
	close(log_fd);
	log_fd = fd;
	log_size = 0;
}

static void write_record(enum stream s, const char *text, size_t n)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	size_t o = 0;
	memcpy(record, "{\"log\":\"", 8);
	o = 8;
	o += escape_json(record + o, text, n);
	char time_text[48];
	format_time(time_text, sizeof(time_text), &now);
	struct text tail = { .data = record + o, .size = RECORD_MAX - o };
	text_str(&tail, "\",\"stream\":\"");
	text_str(&tail, stream_names[s]);
	text_str(&tail, "\",\"time\":\"");
	text_str(&tail, time_text);
	text_str(&tail, "\"}\n");
	o += tail.length;
	if (log_max_size && log_size > 0 && log_size + o > log_max_size)
		rotate();
	if (write_all(log_fd, record, o) < 0) {
		warn("write", log_path);
		return;
	}
	log_size += o;
}

void log_output(enum stream s, const char *data, size_t n)
{
	if (log_fd < 0)
		return;
	struct line *line = &lines[s];
	while (n > 0) {
		size_t take = LINE_MAX_BYTES - line->length;
		const char *newline = memchr(data, '\n', n < take ? n : take);
		if (newline)
			take = (size_t)(newline - data) + 1;
		else if (take > n)
			take = n;
		if (line->length == 0 && (newline || take == LINE_MAX_BYTES)) {
			write_record(s, data, take); /* a whole line or chunk: no copy */
		} else {
			memcpy(line->data + line->length, data, take);
			line->length += take;
			if (newline || line->length == LINE_MAX_BYTES) {
				write_record(s, line->data, line->length);
				line->length = 0;
			}
		}
		data += take;
		n -= take;
	}
}

void log_end(enum stream s)
{
	if (log_fd < 0 || lines[s].length == 0)
		return;
	write_record(s, lines[s].data, lines[s].length);
	lines[s].length = 0;
}
