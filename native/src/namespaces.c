/* Namespaces: joined by path or created; id maps, cgroups and oom score written from outside. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "init.h"

static void setns_path(const char *path, int nstype)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail("join namespace", "open %s", path);
	if (setns(fd, nstype) < 0)
		fail("join namespace", "setns %s", path);
	close(fd);
}

/* A pid namespace applies to children only, so stage 0 joins it before cloning. */
void join_pid_namespace(const struct plan *plan)
{
	for_each_record(plan, PLAN_NS_JOIN, r)
	{
		size_t off = 4;
		if (record_u32(r, 0) == CLONE_NEWPID)
			setns_path(record_string(r, &off), CLONE_NEWPID);
	}
}

/*
 * The user and pid namespaces are created by clone itself: the new user namespace then owns
 * every namespace the child unshares afterwards, and the child is pid 1 of the new pid one.
 */
pid_t clone_container_process(const struct plan *plan)
{
	const struct record *r = plan_find(plan, PLAN_CLONE_FLAGS);
	unsigned long flags = r ? record_u32(r, 0) & (CLONE_NEWUSER | CLONE_NEWPID) : 0;
	pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0)
		fail("clone", "flags 0x%lx", flags);
	return pid;
}

static void write_proc_file(pid_t pid, const char *name, const char *text, size_t length)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		fail("write proc file", "open %s", path);
	if (write(fd, text, length) != (ssize_t)length)
		fail("write proc file", "write %s", path);
	close(fd);
}

void write_id_maps(const struct plan *plan, pid_t pid)
{
	/* setgroups must be denied before an unprivileged gid_map can be written. */
	if (plan_find(plan, PLAN_SETGROUPS_DENY))
		write_proc_file(pid, "setgroups", "deny", 4);
	const struct record *uid = plan_find(plan, PLAN_UID_MAP);
	const struct record *gid = plan_find(plan, PLAN_GID_MAP);
	if (uid)
		write_proc_file(pid, "uid_map", uid->data, strlen(uid->data));
	if (gid)
		write_proc_file(pid, "gid_map", gid->data, strlen(gid->data));
}

void join_cgroups(const struct plan *plan, pid_t pid)
{
	char text[16];
	int n = snprintf(text, sizeof(text), "%d", (int)pid);
	for_each_record(plan, PLAN_CGROUP_PROCS, r)
	{
		int fd = open(r->data, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			fail("join cgroup", "open %s", r->data);
		if (write(fd, text, (size_t)n) != n)
			fail("join cgroup", "write %s", r->data);
		close(fd);
	}
}

void write_oom_score_adj(const struct plan *plan, pid_t pid)
{
	const struct record *r = plan_find(plan, PLAN_OOM_SCORE_ADJ);
	if (r)
		write_proc_file(pid, "oom_score_adj", r->data, strlen(r->data));
}

/*
 * In the child: the user namespace first (it owns the others), then the rest. Every path is
 * opened before any is joined: once the mount namespace is joined, /proc/<pid>/ns/... would be
 * looked up in the container's /proc, where that pid means something else (or nothing).
 */
#define MAX_NS_JOINS 16
void enter_namespaces(const struct plan *plan)
{
	int in_user_namespace = 0;
	int fds[MAX_NS_JOINS];
	int types[MAX_NS_JOINS];
	int joins = 0;
	for_each_record(plan, PLAN_NS_JOIN, r)
	{
		size_t off = 4;
		uint32_t type = record_u32(r, 0);
		if (type == CLONE_NEWPID)
			continue;
		const char *path = record_string(r, &off);
		if (joins == MAX_NS_JOINS)
			fail("join namespace", "more than %d namespaces to join", MAX_NS_JOINS);
		fds[joins] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[joins] < 0)
			fail("join namespace", "open %s", path);
		types[joins++] = (int)type;
	}
	for (int i = 0; i < joins; i++) {
		if (types[i] != CLONE_NEWUSER)
			continue;
		if (setns(fds[i], CLONE_NEWUSER) < 0)
			fail("join namespace", "setns user");
		in_user_namespace = 1;
	}
	for (int i = 0; i < joins; i++) {
		if (types[i] != CLONE_NEWUSER && setns(fds[i], types[i]) < 0)
			fail("join namespace", "setns type %#x", types[i]);
		close(fds[i]);
	}
	const struct record *clone = plan_find(plan, PLAN_CLONE_FLAGS);
	uint32_t flags = clone ? record_u32(clone, 0) : 0;
	if (flags & CLONE_NEWUSER)
		in_user_namespace = 1;
	/* Become the namespace's root (uid 0 is mapped) so that the rest of the plan may run. */
	if (in_user_namespace) {
		if (setresgid(0, 0, 0) < 0)
			fail("enter user namespace", "setresgid 0");
		if (setresuid(0, 0, 0) < 0)
			fail("enter user namespace", "setresuid 0");
	}
	/* A new cgroup namespace comes later: it must be rooted at the container's cgroups. */
	uint32_t rest = flags & ~(uint32_t)(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWCGROUP);
	if (rest && unshare((int)rest) < 0)
		fail("unshare", "flags 0x%x", rest);
}

int creates_cgroup_namespace(const struct plan *plan)
{
	const struct record *clone = plan_find(plan, PLAN_CLONE_FLAGS);
	return clone && (record_u32(clone, 0) & CLONE_NEWCGROUP);
}

void enter_new_cgroup_namespace(void)
{
	if (unshare(CLONE_NEWCGROUP) < 0)
		fail("unshare", "cgroup namespace");
}
