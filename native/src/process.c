/* The process: hooks, rlimits, user, capabilities, seccomp, working directory, exec. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "init.h"

#define MAX_ITEMS 4096

static size_t collect(const struct plan *plan, uint32_t type, char **out)
{
	size_t n = 0;
	for_each_record(plan, type, r)
	{
		if (n == MAX_ITEMS - 1)
			fail("plan", "too many entries of type %u", type);
		out[n++] = (char *)r->data;
	}
	out[n] = NULL;
	return n;
}

static const char *plan_env_path(const struct plan *plan)
{
	for_each_record(plan, PLAN_ENV, r) if (strncmp(r->data, "PATH=", 5) == 0) return r->data + 5;
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/*
 * Found before the runtime is told "ready", so that a missing program fails `create` with a
 * clear error rather than the container after `start` (runc does the same).
 */
const char *resolve_program(const struct plan *plan)
{
	const struct record *arg0 = plan_find(plan, PLAN_ARG);
	if (!arg0)
		fail("exec", "no program to run");
	const char *name = arg0->data;
	if (strchr(name, '/')) {
		if (access(name, X_OK) < 0)
			fail_with_status(errno == ENOENT ? 127 : 126, "exec", "\"%s\"", name);
		return name;
	}
	static char candidate[4096];
	const char *path = plan_env_path(plan);
	int saw_eacces = 0;
	while (*path) {
		const char *end = strchrnul(path, ':');
		int len = (int)(end - path);
		snprintf(candidate, sizeof(candidate), "%.*s/%s", len ? len : 1, len ? path : ".", name);
		struct stat st;
		if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(candidate, X_OK) == 0)
				return candidate;
			saw_eacces = 1;
		}
		path = *end ? end + 1 : end;
	}
	errno = 0;
	if (saw_eacces)
		fail_with_status(126, "exec", "\"%s\": permission denied", name);
	fail_with_status(127, "exec", "\"%s\": executable file not found in $PATH", name);
}

static void run_hook(const struct record *r)
{
	struct plan_hook h;
	memcpy(&h, r->data, sizeof(h));
	size_t off = sizeof(h);
	const char *path = record_string(r, &off);
	char *argv[MAX_ITEMS], *envp[MAX_ITEMS];
	if (h.argc >= MAX_ITEMS || h.envc >= MAX_ITEMS)
		fail("startContainer hook", "%s: too many arguments", path);
	for (uint32_t i = 0; i < h.argc; i++)
		argv[i] = (char *)record_string(r, &off);
	argv[h.argc] = NULL;
	for (uint32_t i = 0; i < h.envc; i++)
		envp[i] = (char *)record_string(r, &off);
	envp[h.envc] = NULL;
	const char *state = record_string(r, &off);
	int in[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		fail("startContainer hook", "pipe");
	pid_t pid = fork();
	if (pid < 0)
		fail("startContainer hook", "fork");
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		execve(path, h.argc ? argv : (char *[]){ (char *)path, NULL }, envp);
		dprintf(STDERR_FILENO, "berth-init: startContainer hook %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	signal(SIGPIPE, SIG_IGN);
	(void)!write(in[1], state, strlen(state));
	close(in[1]);
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	long waited_ms = 0;
	int status;
	for (;;) {
		pid_t done = waitpid(pid, &status, WNOHANG);
		if (done == pid)
			break;
		if (done < 0 && errno != EINTR)
			fail("startContainer hook", "wait %s", path);
		if (h.timeout_seconds && waited_ms >= (long)h.timeout_seconds * 1000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			errno = ETIMEDOUT;
			fail("startContainer hook", "%s", path);
		}
		nanosleep(&tick, NULL);
		waited_ms += 10;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		errno = 0;
		fail("startContainer hook", "%s exited with status %d", path,
		     WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
}

void run_start_hooks(const struct plan *plan)
{
	for_each_record(plan, PLAN_START_HOOK, r) run_hook(r);
}

void apply_rlimits(const struct plan *plan)
{
	for_each_record(plan, PLAN_RLIMIT, r)
	{
		struct plan_rlimit l;
		memcpy(&l, r->data, sizeof(l));
		struct rlimit64 value = { .rlim_cur = l.soft, .rlim_max = l.hard };
		if (prlimit64(0, (enum __rlimit_resource)l.resource, &value, NULL) < 0)
			fail("rlimit", "resource %u soft %llu hard %llu", l.resource,
			     (unsigned long long)l.soft, (unsigned long long)l.hard);
	}
}

void load_seccomp(const struct plan *plan)
{
	const struct record *r = plan_find(plan, PLAN_SECCOMP);
	if (!r)
		return;
	uint32_t flags = record_u32(r, 0);
	size_t bytes = r->length - 8;
	if (bytes == 0 || bytes % sizeof(struct sock_filter) != 0)
		fail("seccomp", "program of %zu bytes", bytes);
	struct sock_fprog prog = {
		.len = (unsigned short)(bytes / sizeof(struct sock_filter)),
		.filter = (struct sock_filter *)(r->data + 8),
	};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) < 0)
		fail("seccomp", "load filter of %u instructions", prog.len);
}

static void set_capabilities(const struct plan_caps *caps)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	for (int i = 0; i < 2; i++) {
		data[i].effective = (uint32_t)(caps->effective >> (32 * i));
		data[i].permitted = (uint32_t)(caps->permitted >> (32 * i));
		data[i].inheritable = (uint32_t)(caps->inheritable >> (32 * i));
	}
	if (syscall(SYS_capset, &header, data) < 0)
		fail("capabilities", "capset");
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (int cap = 0; cap < 64; cap++)
		if ((caps->ambient >> cap) & 1 && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			fail("capabilities", "raise ambient %d", cap);
}

void switch_user_and_capabilities(const struct plan *plan)
{
	const struct record *caps_record = plan_find(plan, PLAN_CAPS);
	struct plan_caps caps;
	if (caps_record)
		memcpy(&caps, caps_record->data, sizeof(caps));
	/* Keep permitted capabilities across the uid change; capset then sets them exactly. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		fail("capabilities", "keep capabilities");
	if (caps_record)
		for (int cap = 0; cap < 64; cap++)
			if (!((caps.bounding >> cap) & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 &&
			    errno != EINVAL)
				fail("capabilities", "drop %d from bounding set", cap);
	const struct record *user_record = plan_find(plan, PLAN_USER);
	if (user_record) {
		struct plan_user u;
		memcpy(&u, user_record->data, sizeof(u));
		if (u.ngroups != UINT32_MAX) {
			gid_t groups[MAX_ITEMS];
			if (u.ngroups > MAX_ITEMS)
				fail("user", "%u additional groups", u.ngroups);
			for (uint32_t i = 0; i < u.ngroups; i++)
				groups[i] = record_u32(user_record, sizeof(u) + 4 * i);
			if (setgroups(u.ngroups, groups) < 0)
				fail("user", "setgroups (%u groups)", u.ngroups);
		}
		if (setresgid(u.gid, u.gid, u.gid) < 0)
			fail("user", "setresgid %u", u.gid);
		if (setresuid(u.uid, u.uid, u.uid) < 0)
			fail("user", "setresuid %u", u.uid);
		if (u.umask != BERTH_UMASK_KEEP)
			umask(u.umask);
	}
	if (caps_record)
		set_capabilities(&caps);
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
}

/*
 * The CVE-2024-21626 class: a working directory reached through a leaked host fd would lie
 * outside the container's root, where getcwd() reports "(unreachable)" or fails.
 */
void enter_working_directory(const struct plan *plan)
{
	const struct record *r = plan_find(plan, PLAN_CWD);
	const char *cwd = r ? r->data : "/";
	/*
	 * No descriptor but stdio may be open when the cwd is resolved: "/proc/self/fd/N" must not
	 * reach anything the runtime held (runc CVE-2024-21626). Nothing after this needs one.
	 */
	if (syscall(SYS_close_range, 3, ~0U, 0) < 0)
		fail("cwd", "close_range");
	if (chdir(cwd) < 0)
		fail_with_status(128, "cwd", "chdir %s", cwd);
	char seen[4096];
	if (!getcwd(seen, sizeof(seen)) || seen[0] != '/') {
		errno = EPERM;
		fail_with_status(128, "cwd", "%s is outside the container's root", cwd);
	}
}

void exec_program(const struct plan *plan, const char *program)
{
	static char *argv[MAX_ITEMS], *envp[MAX_ITEMS];
	collect(plan, PLAN_ARG, argv);
	collect(plan, PLAN_ENV, envp);
	/* Every descriptor but stdio closes at exec: nothing of the host leaks in. */
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		fail("exec", "close_range");
	if (plan_find(plan, PLAN_NO_NEW_PRIVS)) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			fail("exec", "no_new_privs");
		/* With no_new_privs the filter needs no privilege: load it last, as runc does. */
		load_seccomp(plan);
	}
	execve(program, argv, envp);
	fail_with_status(errno == ENOENT ? 127 : 126, "exec", "\"%s\"", program);
}
