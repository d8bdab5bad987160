/*
 * berth-monitor: the per-container monitor (see monitor.h and include/berth_monitor.h).
 *
 *   berth-monitor --socket PATH [--log PATH --log-max-size BYTES --log-max-files N]
 *                 [--exit-file PATH] [--oom-file PATH] [--stdin] [--tty --console-socket PATH]
 *                 [--runtime-command] -- /path/to/berth-init [args...]
 *
 * Started by the runtime in place of berth-init, with the plan socket on fd 3 (and optionally
 * a readiness pipe on fd 4). It listens on --socket, forks berth-init with the container's
 * stdio on fds 0-2 and the plan socket still on fd 3, and then serves clients and copies
 * output until the container exits. A failure before berth-init runs is reported on the plan
 * socket as berth-init would report one (SYNC_ERROR), so that create fails with its reason.
 *
 * With --runtime-command, the command is a runc-compatible runtime's `create` or `exec -d`
 * (its whole argv computed by berthd), not berth-init. It gets the container's stdio as
 * berth-init would, but not fd 3, which is then only a channel to berthd: the command's
 * process waits there for one byte before its exec (so that berthd can attach first, served
 * by the monitor meanwhile), and
 * reports the command's wait status there as SYNC_EXIT when it exits. The process the command
 * leaves behind is reparented to the monitor, the subreaper; berthd then sends its pid.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "berth_protocol.h"
#include "monitor.h"

#define OUTPUT_CHUNK (16 * 1024)
/* After the container exits, output still unread is drained until EOF or this much silence. */
#define DRAIN_IDLE_MS 200
#define DRAIN_MAX_MS 5000
#define CLIENT_FLUSH_MS 2000

static struct options {
	const char *socket_path;
	const char *log_path;
	uint64_t log_max_size;
	unsigned log_max_files;
	const char *exit_file;
	const char *oom_file;
	int stdin_open;
	int tty;
	const char *console_socket;
	int runtime_command;
	char **init_argv;
} opt = { .log_max_files = 1 };

static int signal_fd = -1;
static int console_listen_fd = -1;
/* Read ends of the container's stdout and stderr; with a tty, the master is output[0]. */
static int output[2] = { -1, -1 };
static pid_t init_pid;
static int init_failed;
static int init_exited;

void warn(const char *what, const char *path)
{
	int saved = errno;
	char buffer[1024];
	struct text t = TEXT(buffer);
	text_str(&t, "berth-monitor: ");
	text_str(&t, what);
	if (path) {
		text_str(&t, " ");
		text_str(&t, path);
	}
	text_str(&t, ": ");
	text_str(&t, strerror(saved));
	text_str(&t, "\n");
	write_all(STDERR_FILENO, t.data, t.length);
	errno = saved;
}

void set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Reports a failure before berth-init runs the way berth-init would, on the plan socket:
 * "monitor: what[ detail][: strerror]", and exits with status.
 */
static _Noreturn void startup_fail(int status, const char *what, const char *detail)
{
	int saved = errno;
	char buffer[1024];
	struct text t = TEXT(buffer);
	text_str(&t, "monitor: ");
	text_str(&t, what);
	if (detail) {
		text_str(&t, " ");
		text_str(&t, detail);
	}
	if (saved) {
		text_str(&t, ": ");
		text_str(&t, strerror(saved));
	}
	write_all(STDERR_FILENO, "berth-monitor: ", 15);
	write_all(STDERR_FILENO, t.data + 9, t.length - 9);
	write_all(STDERR_FILENO, "\n", 1);
	struct {
		struct record_header header;
		uint32_t status;
	} __attribute__((packed)) record = { { SYNC_ERROR, (uint32_t)(4 + t.length) }, (uint32_t)status };
	if (write_all(BERTH_PLAN_FD, &record, sizeof(record)) == 0 && write_all(BERTH_PLAN_FD, t.data, t.length) == 0) {
		/*
		 * Wait for the runtime to close its end: exiting now would make its plan write fail
		 * with a reset that can discard the error before it is read.
		 */
		shutdown(BERTH_PLAN_FD, SHUT_WR);
		struct pollfd p = { .fd = BERTH_PLAN_FD, .events = POLLIN };
		char discard[4096];
		while (poll(&p, 1, 2000) > 0 && read(BERTH_PLAN_FD, discard, sizeof(discard)) > 0)
			;
	}
	exit(status);
}

static uint64_t parse_number(const char *name, const char *text)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || !*text || *end || text[0] == '-') {
		errno = 0;
		startup_fail(2, name, "needs a number");
	}
	return v;
}

static void parse_args(int argc, char **argv)
{
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;
		int takes_value = 1;
		if (!strcmp(a, "--stdin"))
			opt.stdin_open = 1, takes_value = 0;
		else if (!strcmp(a, "--tty"))
			opt.tty = 1, takes_value = 0;
		else if (!strcmp(a, "--runtime-command"))
			opt.runtime_command = 1, takes_value = 0;
		else if (!value)
			errno = 0, startup_fail(2, a, "needs a value");
		else if (!strcmp(a, "--socket"))
			opt.socket_path = value;
		else if (!strcmp(a, "--log"))
			opt.log_path = value;
		else if (!strcmp(a, "--log-max-size"))
			opt.log_max_size = parse_number(a, value);
		else if (!strcmp(a, "--log-max-files"))
			opt.log_max_files = (unsigned)parse_number(a, value);
		else if (!strcmp(a, "--exit-file"))
			opt.exit_file = value;
		else if (!strcmp(a, "--oom-file"))
			opt.oom_file = value;
		else if (!strcmp(a, "--console-socket"))
			opt.console_socket = value;
		else
			errno = 0, startup_fail(2, "unknown option", a);
		if (takes_value)
			i++;
	}
	if (i >= argc)
		errno = 0, startup_fail(2, "usage: berth-monitor --socket PATH [options] -- BERTH_INIT [args...]", NULL);
	if (!opt.socket_path)
		errno = 0, startup_fail(2, "--socket is required", NULL);
	if (opt.tty && !opt.console_socket)
		errno = 0, startup_fail(2, "--tty needs --console-socket", NULL);
	opt.init_argv = argv + i;
}

static int open_null(int flags)
{
	int fd = open("/dev/null", flags | O_CLOEXEC);
	if (fd < 0)
		startup_fail(1, "open /dev/null", NULL);
	return fd;
}

/* Forks berth-init with stdio on 0-2 and the plan socket on 3; returns the parent's ends. */
/*
 * --runtime-command, in the child about to exec the command: waits for berthd's go-ahead on
 * fd 3, which the command does not inherit. The monitor itself serves its socket meanwhile, so
 * that an ATTACH sent before the go-ahead is answered (ATTACHED) and takes effect first.
 */
static void await_go_ahead(void)
{
	char go;
	ssize_t n;
	do
		n = read(BERTH_PLAN_FD, &go, 1);
	while (n < 0 && errno == EINTR);
	/* berthd gave up (or died) before the command ran: the monitor reports this exit (1). */
	if (n != 1)
		_exit(1);
	close(BERTH_PLAN_FD);
}

static void start_init(void)
{
	int child_stdio[3];
	int stdin_write = -1;
	if (opt.tty) {
		child_stdio[0] = open_null(O_RDONLY);
		child_stdio[1] = child_stdio[2] = open_null(O_WRONLY);
	} else {
		int out[2], err[2];
		if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
			startup_fail(1, "pipe", NULL);
		output[STREAM_STDOUT] = out[0];
		output[STREAM_STDERR] = err[0];
		child_stdio[1] = out[1];
		child_stdio[2] = err[1];
		if (opt.stdin_open) {
			int in[2];
			if (pipe2(in, O_CLOEXEC) < 0)
				startup_fail(1, "pipe", NULL);
			child_stdio[0] = in[0];
			stdin_write = in[1];
		} else {
			child_stdio[0] = open_null(O_RDONLY);
		}
	}
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	signal_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (signal_fd < 0)
		startup_fail(1, "signalfd", NULL);

	init_pid = fork();
	if (init_pid < 0)
		startup_fail(1, "fork", NULL);
	if (init_pid == 0) {
		for (int fd = 0; fd < 3; fd++)
			if (dup2(child_stdio[fd], fd) < 0)
				_exit(127);
		signal(SIGPIPE, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (opt.runtime_command)
			await_go_ahead();
		execv(opt.init_argv[0], opt.init_argv);
		startup_fail(127, "exec", opt.init_argv[0]);
	}
	/* The runtime sees the plan socket close when berth-init is done (runtime commands: below). */
	if (!opt.runtime_command)
		close(BERTH_PLAN_FD);
	close(child_stdio[0]);
	close(child_stdio[1]);
	if (child_stdio[2] != child_stdio[1])
		close(child_stdio[2]);
	for (int s = 0; s < 2; s++)
		if (output[s] >= 0)
			set_nonblocking(output[s]);
	if (stdin_write >= 0)
		set_nonblocking(stdin_write);
	attach_init(stdin_write, opt.tty);
}

/* --runtime-command: the command's wait status as SYNC_EXIT on fd 3, which then closes. */
static void report_command_exit(int status)
{
	struct {
		struct record_header header;
		int32_t status;
	} __attribute__((packed)) record = { { SYNC_EXIT, 4 }, (int32_t)status };
	write_all(BERTH_PLAN_FD, &record, sizeof(record)); /* berthd may be gone: nothing to do then */
	close(BERTH_PLAN_FD);
}

static void reap_children(void)
{
	struct signalfd_siginfo info;
	while (read(signal_fd, &info, sizeof(info)) > 0)
		;
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		reaped_remember(pid, status);
		if (pid == init_pid) {
			init_exited = 1;
			init_failed = status != 0;
			if (opt.runtime_command)
				report_command_exit(status);
		}
	}
}

static int outputs_open(void)
{
	return output[0] >= 0 || output[1] >= 0;
}

static void read_output(enum stream s)
{
	static char buffer[OUTPUT_CHUNK];
	ssize_t n = read(output[s], buffer, sizeof(buffer));
	if (n > 0) {
		log_output(s, buffer, (size_t)n);
		attach_broadcast_output(s, buffer, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* End of output: EOF on a pipe, EIO on a pty master whose slave is closed. */
	log_end(s);
	if (output[s] == pty_master) {
		if (stdin_fd() == pty_master)
			stdin_set_pty(-1);
		pty_master = -1;
	}
	close(output[s]);
	output[s] = -1;
}

static void receive_console(void)
{
	int master = console_receive(console_listen_fd, opt.console_socket);
	if (master < 0) {
		warn("receive pty master", NULL);
		return;
	}
	console_listen_fd = -1;
	pty_master = output[STREAM_STDOUT] = master;
	stdin_set_pty(master);
	if (pending_rows || pending_cols)
		console_resize(master, pending_rows, pending_cols);
	stdin_flush();
}

/* One round of the poll loop; returns poll's count (0 on timeout). */
static int poll_once(int timeout_ms, int accepting)
{
	struct pollfd fds[80];
	int n = 0;
	fds[n++] = (struct pollfd){ .fd = signal_fd, .events = POLLIN };
	int console_entry = -1, output_entry[2] = { -1, -1 }, stdin_entry = -1;
	if (console_listen_fd >= 0) {
		console_entry = n;
		fds[n++] = (struct pollfd){ .fd = console_listen_fd, .events = POLLIN };
	}
	/*
	 * --runtime-command: the runtime writes its own errors to the container's stdout and
	 * stderr. Output is read once the container's pid is known, which berthd sends only after
	 * the command succeeded, so that a failing runtime's message stays out of the log.
	 */
	int reading = !opt.runtime_command || container_pid;
	for (int s = 0; s < 2; s++)
		if (output[s] >= 0 && reading) {
			output_entry[s] = n;
			short events = POLLIN;
			if (output[s] == stdin_fd() && stdin_pending())
				events |= POLLOUT;
			fds[n++] = (struct pollfd){ .fd = output[s], .events = events };
		}
	if (stdin_pending() && stdin_fd() != pty_master) {
		stdin_entry = n;
		fds[n++] = (struct pollfd){ .fd = stdin_fd(), .events = POLLOUT };
	}
	int attach_start = n;
	n += attach_poll_entries(fds + n, (int)(sizeof(fds) / sizeof(fds[0])) - n, accepting);

	int ready = poll(fds, (nfds_t)n, timeout_ms);
	if (ready <= 0)
		return ready < 0 && errno == EINTR ? 1 : ready;
	if (fds[0].revents)
		reap_children();
	if (console_entry >= 0 && fds[console_entry].revents)
		receive_console();
	/*
	 * Clients first: an ATTACH sent before the container was started must take effect before
	 * output read in the same round, or the client would miss the container's first output.
	 */
	attach_handle(fds + attach_start, n - attach_start);
	for (int s = 0; s < 2; s++) {
		int e = output_entry[s];
		if (e < 0 || fds[e].fd != output[s])
			continue;
		if (fds[e].revents & POLLOUT)
			stdin_flush();
		if (fds[e].revents & (POLLIN | POLLHUP | POLLERR))
			read_output((enum stream)s);
	}
	if (stdin_entry >= 0 && fds[stdin_entry].revents)
		stdin_flush();
	return ready;
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

static _Noreturn void finish(int status)
{
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (outputs_open() && elapsed_ms(&start) < DRAIN_MAX_MS)
		if (poll_once(DRAIN_IDLE_MS, 1) == 0)
			break;
	for (int s = 0; s < 2; s++) {
		if (output[s] >= 0) {
			log_end((enum stream)s);
			close(output[s]);
		}
	}
	struct timespec finished;
	clock_gettime(CLOCK_REALTIME, &finished);
	int oom = oom_killed(opt.oom_file);
	write_exit_file(opt.exit_file, status, oom, &finished);
	attach_stop_listening();
	attach_broadcast_exit(exit_code_of(status), (uint32_t)oom);
	attach_flush_and_close(CLIENT_FLUSH_MS);
	exit(0);
}

int main(int argc, char **argv)
{
	int ready_fd = fcntl(MONITOR_READY_FD, F_GETFD) >= 0 ? MONITOR_READY_FD : -1;
	/* Nothing else the caller had open is ours to keep. */
	syscall(SYS_close_range, MONITOR_READY_FD + 1, ~0U, 0);
	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	setsid(); /* already a session leader when spawned detached */
	if (chdir("/") < 0)
		startup_fail(1, "chdir /", NULL);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		startup_fail(1, "become subreaper", NULL);

	if (attach_listen(opt.socket_path) < 0)
		startup_fail(1, "listen on", opt.socket_path);
	if (ready_fd >= 0) {
		write_all(ready_fd, "", 1);
		close(ready_fd);
	}
	if (opt.log_path && log_open(opt.log_path, opt.log_max_size, opt.log_max_files) < 0) {
		int saved = errno;
		attach_stop_listening();
		errno = saved;
		startup_fail(1, "open log", opt.log_path);
	}
	if (opt.tty) {
		console_listen_fd = console_listen(opt.console_socket);
		if (console_listen_fd < 0) {
			int saved = errno;
			attach_stop_listening();
			errno = saved;
			startup_fail(1, "listen on console socket", opt.console_socket);
		}
	}
	start_init();

	for (;;) {
		int status;
		if (container_pid && reaped_lookup(container_pid, &status) == 0)
			finish(status);
		/* berth-init failed and no container will be reported: nothing left to serve. */
		if (init_exited && init_failed && !container_pid && attach_client_count() == 0) {
			attach_stop_listening();
			if (console_listen_fd >= 0)
				unlink(opt.console_socket);
			exit(1);
		}
		poll_once(-1, 1);
	}
}
