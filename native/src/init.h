/*
 * berth-init: performs a container's setup plan computed by TypeScript (see
 * include/berth_protocol.h), then execs the user's program. Each function performs one named
 * kernel step; on failure it reports "step: detail: strerror" to the runtime and exits.
 */
#ifndef BERTH_INIT_H
#define BERTH_INIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "berth_protocol.h"

struct record {
	uint32_t type;
	uint32_t length;
	const char *data;
};

struct plan {
	char *buffer;
	struct record *records;
	size_t count;
};

#define for_each_record(plan, record_type, r)                                               \
	for (const struct record *r = (plan)->records; r < (plan)->records + (plan)->count; r++) \
		if (r->type == (record_type))

/* plan.c */
void plan_read(int fd, struct plan *plan);
const struct record *plan_find(const struct plan *plan, uint32_t type);
/* The string at *offset in a record's payload; advances *offset past its NUL. */
const char *record_string(const struct record *r, size_t *offset);
uint32_t record_u32(const struct record *r, size_t offset);
uint64_t record_u64(const struct record *r, size_t offset);
void plan_append(struct plan *plan, const char *data, size_t length);

/* sync.c: messages to the runtime over the plan socket, and failure reporting. */
void sync_send(uint32_t type, const void *data, uint32_t length);
void sync_wait_continue(struct plan *plan);
void sync_close(void);
_Noreturn void fail(const char *step, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void fail_with_status(int status, const char *step, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* self.c */
void reexec_from_sealed_copy(char **argv);

/* namespaces.c */
void join_pid_namespace(const struct plan *plan);
pid_t clone_container_process(const struct plan *plan);
void write_id_maps(const struct plan *plan, pid_t pid);
void join_cgroups(const struct plan *plan, pid_t pid);
void write_oom_score_adj(const struct plan *plan, pid_t pid);
void enter_namespaces(const struct plan *plan);
int creates_cgroup_namespace(const struct plan *plan);
void enter_new_cgroup_namespace(void);

/* rootfs.c */
void prepare_rootfs(const struct plan *plan);
void pivot_into_rootfs(const struct plan *plan);
void protect_paths(const struct plan *plan);
void write_kernel_settings(const struct plan *plan);

/* terminal.c */
int connect_console_socket(const struct plan *plan);
void setup_terminal(const struct plan *plan, int console_socket);

/* process.c */
const char *resolve_program(const struct plan *plan);
void run_start_hooks(const struct plan *plan);
void apply_rlimits(const struct plan *plan);
void load_seccomp(const struct plan *plan);
void switch_user_and_capabilities(const struct plan *plan);
void enter_working_directory(const struct plan *plan);
_Noreturn void exec_program(const struct plan *plan, const char *program);

#endif
