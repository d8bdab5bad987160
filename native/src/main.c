/*
 * berth-init: stage 0 (the runtime's child) clones the container process, writes its id maps,
 * cgroups and oom score from outside, and in foreground mode waits for it. Stage 1 (the
 * container process) enters its namespaces, builds its root, reports ready, waits on the exec
 * fifo for `start`, then becomes the user's program. See include/berth_protocol.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "init.h"

static void create_exec_fifo(const struct plan *plan)
{
	const struct record *r = plan_find(plan, PLAN_EXEC_FIFO);
	/* 0622: the container's root may be an unprivileged host uid in a user namespace. */
	if (r && mknod(r->data, S_IFIFO | 0622, 0) < 0)
		fail("exec fifo", "mkfifo %s", r->data);
	if (r && chmod(r->data, 0622) < 0)
		fail("exec fifo", "chmod %s", r->data);
}

static int open_exec_fifo(const struct plan *plan)
{
	const struct record *r = plan_find(plan, PLAN_EXEC_FIFO);
	if (!r)
		return -1;
	/* O_PATH now, while the host path is reachable; reopened for writing after pivot_root. */
	int fd = open(r->data, O_PATH | O_CLOEXEC);
	if (fd < 0)
		fail("exec fifo", "open %s", r->data);
	return fd;
}

/* Blocks until `start` opens the fifo for reading. */
static void wait_for_start(int fifo)
{
	if (fifo < 0)
		return;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fifo);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		fail("exec fifo", "open for start");
	if (write(fd, "0", 1) != 1)
		fail("exec fifo", "write");
	close(fd);
	close(fifo);
}

/* Waits for stage 0's next go-ahead byte; if stage 0 failed instead, it has reported why. */
static void wait_for_stage0(int go)
{
	char byte;
	ssize_t got;
	do
		got = read(go, &byte, 1);
	while (got < 0 && errno == EINTR);
	if (got != 1)
		_exit(1);
}

static _Noreturn void container_process(struct plan *plan, int go, int fifo)
{
	wait_for_stage0(go); /* id maps written */
	/* Not dumpable while setting up: no process in the container may ptrace or open us. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		fail("init", "set non-dumpable");
	if (plan_find(plan, PLAN_SETSID) && setsid() < 0)
		fail("init", "setsid");
	umask(0); /* device nodes get exactly the plan's modes */
	/* While the runtime's paths are still ours: an exec joins the container's mounts next. */
	int console = connect_console_socket(plan);
	enter_namespaces(plan);
	/*
	 * Stage 0 moves us into the container's cgroups while we build the root (see main), and
	 * says when it is done; from then on, hooks and the program see them. A new cgroup
	 * namespace must start there, and before the root's cgroupfs mount shows it, so
	 * unsharing one forgoes the overlap.
	 */
	if (creates_cgroup_namespace(plan)) {
		wait_for_stage0(go);
		enter_new_cgroup_namespace();
		prepare_rootfs(plan);
	} else {
		prepare_rootfs(plan);
		wait_for_stage0(go);
	}
	close(go);
	if (plan_find(plan, PLAN_HOOK_PAUSE)) {
		sync_send(SYNC_HOOKS, NULL, 0);
		sync_wait_continue(plan);
	}
	pivot_into_rootfs(plan);
	/* Before /proc/sys turns read-only, as runc orders it. */
	write_kernel_settings(plan);
	protect_paths(plan);
	setup_terminal(plan, console);
	umask(022);
	const char *program = resolve_program(plan);
	sync_send(SYNC_READY, NULL, 0);
	sync_close();
	wait_for_start(fifo);
	run_start_hooks(plan);
	apply_rlimits(plan);
	/* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load before dropping it. */
	if (!plan_find(plan, PLAN_NO_NEW_PRIVS))
		load_seccomp(plan);
	switch_user_and_capabilities(plan);
	enter_working_directory(plan);
	exec_program(plan, program);
}

int main(int argc, char **argv)
{
	(void)argc;
	struct stat st;
	if (fstat(BERTH_PLAN_FD, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		dprintf(STDERR_FILENO, "berth-init: berth's container helper; it is started by the runtime, not by hand\n");
		return 2;
	}
	/* Whatever the runtime's caller left open must not reach the container. */
	syscall(SYS_close_range, BERTH_PLAN_FD + 1, ~0U, 0);
	reexec_from_sealed_copy(argv);

	struct plan plan;
	plan_read(BERTH_PLAN_FD, &plan);
	create_exec_fifo(&plan);
	join_pid_namespace(&plan);

	/*
	 * Opened here, as the runtime's user: in a user namespace the container's root may not be
	 * allowed to reach the runtime's state directory, only to write the fifo itself (0622).
	 */
	int fifo = open_exec_fifo(&plan);
	int go[2];
	if (pipe2(go, O_CLOEXEC) < 0)
		fail("init", "pipe");
	pid_t pid = clone_container_process(&plan);
	if (pid == 0) {
		close(go[1]);
		container_process(&plan, go[0], fifo);
	}
	close(go[0]);
	if (fifo >= 0)
		close(fifo);
	uint32_t pid32 = (uint32_t)pid;
	sync_send(SYNC_PID, &pid32, sizeof(pid32));
	write_id_maps(&plan, pid);
	if (write(go[1], "g", 1) != 1)
		fail("init", "release container process");
	/*
	 * Joined while the container process builds its root: the first cgroup migration waits
	 * for an RCU grace period (several ms), which would otherwise add to every start.
	 */
	join_cgroups(&plan, pid);
	write_oom_score_adj(&plan, pid);
	if (write(go[1], "c", 1) != 1)
		fail("init", "release container process");
	close(go[1]);
	if (!plan_find(&plan, PLAN_FOREGROUND))
		return 0;
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fail("wait", "container process %d", (int)pid);
	int32_t status32 = status;
	sync_send(SYNC_EXIT, &status32, sizeof(status32));
	return 0;
}
