/*
 * The protocol between berth's TypeScript runtime and berth-init.
 * Mirrored in src/runtime/process/protocol.ts: change both together.
 *
 * TypeScript writes a plan to fd 3 (a unix socket pair): a sequence of records, each a
 * struct record_header followed by `length` payload bytes, ending with PLAN_END. Integers are
 * little-endian (host order; the plan never leaves the machine). Strings are NUL-terminated.
 * berth-init then writes sync records on the same socket (SYNC_*), and TypeScript may answer
 * SYNC_CONTINUE. The plan is complete: berth-init performs each record in order and decides
 * nothing of its own.
 */
#ifndef BERTH_PROTOCOL_H
#define BERTH_PROTOCOL_H

#include <stdint.h>

#define BERTH_PLAN_FD 3
#define BERTH_PLAN_MAX_BYTES (16u << 20)

struct record_header {
	uint32_t type;
	uint32_t length;
};

enum plan_record_type {
	PLAN_END = 0,
	PLAN_FOREGROUND = 1,        /* empty: stage 0 waits for the container process, sends SYNC_EXIT */
	PLAN_CLONE_FLAGS = 2,       /* u32: CLONE_NEW* namespaces to create */
	PLAN_NS_JOIN = 3,           /* u32 CLONE_NEW* type, then path: a namespace to join */
	PLAN_UID_MAP = 4,           /* text for /proc/<pid>/uid_map */
	PLAN_GID_MAP = 5,           /* text for /proc/<pid>/gid_map */
	PLAN_SETGROUPS_DENY = 6,    /* empty: write "deny" to /proc/<pid>/setgroups */
	PLAN_CGROUP_PROCS = 7,      /* path of a cgroup.procs file to put the container process in */
	PLAN_OOM_SCORE_ADJ = 8,     /* text for /proc/<pid>/oom_score_adj */
	PLAN_EXEC_FIFO = 9,         /* path: created by stage 0, opened by the process before exec */
	PLAN_ROOTFS = 10,           /* host path of the root filesystem */
	PLAN_ROOTFS_PROPAGATION = 11, /* u64 flags for mount("", "/", ...) before anything else */
	PLAN_MOUNT = 12,            /* struct plan_mount, then source, target, fstype, data strings */
	PLAN_DEVICE = 13,           /* struct plan_device, then the path inside the container */
	PLAN_SYMLINK = 14,          /* link target, then link path inside the container */
	PLAN_HOOK_PAUSE = 15,       /* empty: before pivot_root send SYNC_HOOKS, wait SYNC_CONTINUE */
	PLAN_PIVOT_ROOT = 16,       /* empty: pivot_root into PLAN_ROOTFS (absent: exec mode) */
	PLAN_MASK_PATH = 17,        /* path: hidden under /dev/null (file) or an empty ro tmpfs (dir) */
	PLAN_READONLY_PATH = 18,    /* path: bind-mounted read-only onto itself */
	PLAN_ROOT_READONLY = 19,    /* empty: remount / read-only */
	PLAN_HOSTNAME = 20,         /* text */
	PLAN_DOMAINNAME = 21,       /* text */
	PLAN_SYSCTL = 22,           /* path under /proc/sys, then value */
	PLAN_CONSOLE_SOCKET = 23,   /* path of the unix socket that receives the pty master */
	PLAN_CONSOLE_SIZE = 24,     /* u16 rows, u16 cols */
	PLAN_START_HOOK = 25,       /* struct plan_hook, then path, args, env, state JSON */
	PLAN_RLIMIT = 26,           /* struct plan_rlimit */
	PLAN_USER = 27,             /* struct plan_user, then u32 additional gids */
	PLAN_CAPS = 28,             /* struct plan_caps */
	PLAN_NO_NEW_PRIVS = 29,     /* empty */
	PLAN_SECCOMP = 30,          /* u32 seccomp() flags, u32 zero, then struct sock_filter[] */
	PLAN_CWD = 31,              /* path inside the container */
	PLAN_ENV = 32,              /* one "NAME=value" */
	PLAN_ARG = 33,              /* one argument; the first is the program */
	PLAN_SETSID = 34,           /* empty: become a session leader (always for a container's init) */
};

/* Kinds of mount steps. */
enum plan_mount_kind {
	MOUNT_FILESYSTEM = 0,       /* mount(source, target, fstype, flags, data) on a directory */
	MOUNT_BIND = 1,             /* bind mount; target made a file or directory like the source */
	MOUNT_PROPAGATION_ONLY = 2, /* only change propagation of target */
};

struct plan_mount {
	uint32_t kind;
	uint32_t reserved;
	uint64_t flags;             /* MS_* for the first mount(2) */
	uint64_t remount_flags;     /* non-zero: MS_REMOUNT|MS_BIND|these afterwards (read-only binds) */
	uint64_t propagation;       /* non-zero: mount(NULL, target, NULL, these) afterwards */
};

struct plan_device {
	uint32_t mode;              /* S_IFCHR/S_IFBLK/S_IFIFO | permission bits */
	uint32_t major;
	uint32_t minor;
	uint32_t uid;
	uint32_t gid;
	uint32_t bind_from_host;    /* 1: bind-mount the host's node (user namespaces cannot mknod) */
};

struct plan_rlimit {
	uint32_t resource;
	uint32_t reserved;
	uint64_t soft;
	uint64_t hard;
};

struct plan_user {
	uint32_t uid;
	uint32_t gid;
	uint32_t umask;             /* BERTH_UMASK_KEEP: leave as inherited */
	uint32_t ngroups;
};
#define BERTH_UMASK_KEEP 0xffffffffu

struct plan_caps {
	uint64_t bounding;
	uint64_t effective;
	uint64_t permitted;
	uint64_t inheritable;
	uint64_t ambient;
};

struct plan_hook {
	uint32_t timeout_seconds;   /* 0: none */
	uint32_t argc;
	uint32_t envc;
	uint32_t reserved;
};

enum sync_record_type {
	SYNC_PID = 100,             /* u32: the container process's pid in the runtime's namespace */
	SYNC_HOOKS = 101,           /* empty: paused before pivot_root for create hooks */
	SYNC_CONTINUE = 102,        /* from TypeScript: go on */
	SYNC_READY = 103,           /* empty: set up; blocked on the exec fifo (or about to exec) */
	SYNC_ERROR = 104,           /* u32 exit status, then text "step: detail: strerror" */
	SYNC_EXIT = 105,            /* i32 wait status of the container process (foreground only) */
};

#endif
