/*
 * Exit statuses: the monitor reaps every child (it is their subreaper) and remembers the last
 * few, because the container's pid may arrive after it has already exited. When the container
 * exits, its status, OOM kill and time go to the exit file, written atomically.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h> /* rename */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "monitor.h"

#define REAPED_MAX 64

static struct reaped {
	pid_t pid;
	int status;
} reaped[REAPED_MAX];
static unsigned reaped_next;

void reaped_remember(pid_t pid, int status)
{
	reaped[reaped_next % REAPED_MAX] = (struct reaped){ .pid = pid, .status = status };
	reaped_next++;
}

int reaped_lookup(pid_t pid, int *status)
{
	for (unsigned i = 0; i < REAPED_MAX; i++) {
		if (reaped[i].pid == pid && pid > 0) {
			*status = reaped[i].status;
			return 0;
		}
	}
	return -1;
}

int exit_code_of(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* "oom_kill N" in cgroup v1 memory.oom_control or v2 memory.events; a missing file is 0. */
int oom_killed(const char *oom_file)
{
	if (!oom_file)
		return 0;
	int fd = open(oom_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char text[1024];
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = 0;
	static const char key[] = "oom_kill ";
	for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, sizeof(key) - 1))
			continue;
		for (const char *p = line + sizeof(key) - 1; *p >= '0' && *p <= '9'; p++)
			if (*p != '0')
				return 1;
		return 0;
	}
	return 0;
}

void write_exit_file(const char *path, int status, int oom, const struct timespec *finished)
{
	if (!path)
		return;
	char tmp[4096];
	struct text t = TEXT(tmp);
	text_str(&t, path);
	text_str(&t, ".tmp");
	if (t.length != strlen(path) + 4) {
		warn("exit file path too long", path);
		return;
	}
	char time_text[48];
	format_time(time_text, sizeof(time_text), finished);
	char text[256];
	struct text j = TEXT(text);
	text_str(&j, "{\"exitCode\":");
	text_int(&j, exit_code_of(status));
	text_str(&j, ",\"signal\":");
	text_int(&j, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	text_str(&j, oom ? ",\"oomKilled\":true" : ",\"oomKilled\":false");
	text_str(&j, ",\"finishedAt\":\"");
	text_str(&j, time_text);
	text_str(&j, "\"}\n");
	size_t n = j.length;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		warn("open", tmp);
		return;
	}
	if (write_all(fd, text, n) < 0 || fsync(fd) < 0) {
		warn("write", tmp);
		close(fd);
		unlink(tmp);
		return;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		warn("rename", tmp);
		unlink(tmp);
	}
}
