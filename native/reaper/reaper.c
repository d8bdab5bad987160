/*
 * berth-reaper: a minimal PID 1 for containers (docker run --init), like tini or docker-init.
 *
 *   berth-reaper -- PROGRAM [ARGS...]
 *
 * Runs PROGRAM as its child, forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and
 * SIGWINCH to it, reaps every process that is reparented to it, and exits with the child's
 * exit code (128 + the signal number if a signal killed it). Static, since it is bind-mounted
 * into containers whose root filesystem may have no C library at all.
 *
 * The signals are blocked and taken with sigwaitinfo: a PID 1 gets no default action for
 * signals it has no handler for, but blocked signals are still queued for it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

static int exit_code_of(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	int first = 1;
	if (first < argc && !strcmp(argv[first], "--"))
		first++;
	if (first >= argc) {
		fprintf(stderr, "usage: berth-reaper -- PROGRAM [ARGS...]\n");
		return 2;
	}
	/* When not PID 1 (tests, or a container whose init is something else), still reap. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	sigset_t watched, original;
	sigemptyset(&watched);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&watched, forwarded[i]);
	sigaddset(&watched, SIGCHLD);
	sigprocmask(SIG_BLOCK, &watched, &original);

	pid_t child = fork();
	if (child < 0) {
		perror("berth-reaper: fork");
		return 1;
	}
	if (child == 0) {
		sigprocmask(SIG_SETMASK, &original, NULL);
		execvp(argv[first], argv + first);
		fprintf(stderr, "berth-reaper: exec %s: %s\n", argv[first], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}

	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&watched, &info);
		if (sig < 0)
			continue; /* EINTR */
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		int status;
		pid_t pid;
		int child_status = -1;
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			if (pid == child)
				child_status = status;
		if (child_status != -1) {
			/* Reap what is already a zombie, then go: our exit ends the namespace's others. */
			while (waitpid(-1, &status, WNOHANG) > 0)
				;
			return exit_code_of(child_status);
		}
	}
}
