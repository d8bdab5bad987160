/*
 * The root filesystem: mounts in the plan's order, devices, pivot_root, masked and read-only
 * paths. Every path inside the container is resolved with openat2(RESOLVE_IN_ROOT), so a
 * symlink in an image can never send a mount or a mknod outside the root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "init.h"

static int root_fd = -1;

static int open_in_root(const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
}

/* Creates every missing directory of path inside the root; returns an O_PATH fd of it. */
static int mkdir_all_in_root(const char *path)
{
	int fd = open_in_root(path, O_PATH | O_DIRECTORY);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	char parent[4096], base[4096];
	snprintf(parent, sizeof(parent), "%s", path);
	snprintf(base, sizeof(base), "%s", path);
	int parent_fd = mkdir_all_in_root(dirname(parent));
	if (parent_fd < 0)
		return -1;
	const char *name = basename(base);
	if (mkdirat(parent_fd, name, 0755) < 0 && errno != EEXIST) {
		close(parent_fd);
		return -1;
	}
	close(parent_fd);
	return open_in_root(path, O_PATH | O_DIRECTORY);
}

/* The mount point for target: a directory, or a file when binding a file. */
static int make_target(const char *target, int as_file)
{
	if (!as_file) {
		int fd = mkdir_all_in_root(target);
		if (fd < 0)
			fail("mount", "create directory %s", target);
		return fd;
	}
	int fd = open_in_root(target, O_PATH);
	if (fd >= 0 || errno != ENOENT) {
		if (fd < 0)
			fail("mount", "open %s", target);
		return fd;
	}
	char parent[4096], base[4096];
	snprintf(parent, sizeof(parent), "%s", target);
	snprintf(base, sizeof(base), "%s", target);
	int parent_fd = mkdir_all_in_root(dirname(parent));
	if (parent_fd < 0)
		fail("mount", "create parent of %s", target);
	/* Reopen the parent for real: an O_PATH fd cannot create files through openat. */
	char proc_parent[64];
	snprintf(proc_parent, sizeof(proc_parent), "/proc/self/fd/%d", parent_fd);
	int dir = open(proc_parent, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (dir < 0)
		fail("mount", "open parent of %s", target);
	int file = openat(dir, basename(base), O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (file < 0)
		fail("mount", "create file %s", target);
	close(file);
	close(dir);
	close(parent_fd);
	fd = open_in_root(target, O_PATH);
	if (fd < 0)
		fail("mount", "open %s", target);
	return fd;
}

static const char *fd_path(int fd, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
	return buf;
}

/* Flags a remount must keep: the kernel refuses to drop locked nosuid/nodev/noexec/ro. */
static unsigned long locked_flags(const char *path)
{
	struct statvfs st;
	if (statvfs(path, &st) < 0)
		return 0;
	unsigned long flags = 0;
	if (st.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (st.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (st.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (st.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (st.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (st.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
	return flags;
}

static void remount(const char *path, const char *shown, unsigned long flags)
{
	flags |= MS_REMOUNT | MS_BIND | locked_flags(path);
	if (mount(NULL, path, NULL, flags, NULL) < 0)
		fail("remount", "%s flags 0x%lx", shown, flags);
}

static void perform_mount(const struct record *r)
{
	struct plan_mount m;
	if (r->length < sizeof(m))
		fail("mount", "short record");
	memcpy(&m, r->data, sizeof(m));
	size_t off = sizeof(m);
	const char *source = record_string(r, &off);
	const char *target = record_string(r, &off);
	const char *fstype = record_string(r, &off);
	const char *data = record_string(r, &off);
	char at[64];
	int as_file = 0;
	if (m.kind == MOUNT_BIND) {
		struct stat st;
		if (stat(source, &st) < 0)
			fail("mount", "bind source %s", source);
		as_file = !S_ISDIR(st.st_mode);
	}
	int fd = make_target(target, as_file);
	fd_path(fd, at, sizeof(at));
	if (m.kind != MOUNT_PROPAGATION_ONLY) {
		if (mount(source, at, fstype[0] ? fstype : NULL, (unsigned long)m.flags, data[0] ? data : NULL) < 0)
			fail("mount", "%s on %s (type %s, flags 0x%llx)", source, target, fstype,
			     (unsigned long long)m.flags);
		/* The fd points at the covered directory; reopen to reach the new mount. */
		close(fd);
		fd = open_in_root(target, O_PATH);
		if (fd < 0)
			fail("mount", "reopen %s", target);
		fd_path(fd, at, sizeof(at));
	}
	if (m.remount_flags)
		remount(at, target, (unsigned long)m.remount_flags);
	if (m.propagation && mount(NULL, at, NULL, (unsigned long)m.propagation, NULL) < 0)
		fail("mount", "propagation of %s", target);
	close(fd);
}

static void create_device(const struct record *r)
{
	struct plan_device d;
	if (r->length < sizeof(d))
		fail("device", "short record");
	memcpy(&d, r->data, sizeof(d));
	size_t off = sizeof(d);
	const char *path = record_string(r, &off);
	char at[64];
	if (d.bind_from_host) {
		int fd = make_target(path, 1);
		if (mount(path, fd_path(fd, at, sizeof(at)), NULL, MS_BIND, NULL) < 0)
			fail("device", "bind %s", path);
		close(fd);
		return;
	}
	char parent[4096], base[4096];
	snprintf(parent, sizeof(parent), "%s", path);
	snprintf(base, sizeof(base), "%s", path);
	int parent_fd = mkdir_all_in_root(dirname(parent));
	if (parent_fd < 0)
		fail("device", "create parent of %s", path);
	int dir = open(fd_path(parent_fd, at, sizeof(at)), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (dir < 0)
		fail("device", "open parent of %s", path);
	const char *name = basename(base);
	unlinkat(dir, name, 0);
	if (mknodat(dir, name, d.mode, makedev(d.major, d.minor)) < 0)
		fail("device", "mknod %s", path);
	if (fchmodat(dir, name, d.mode & 07777, 0) < 0)
		fail("device", "chmod %s", path);
	if (fchownat(dir, name, d.uid, d.gid, AT_SYMLINK_NOFOLLOW) < 0)
		fail("device", "chown %s", path);
	close(dir);
	close(parent_fd);
}

static void create_symlink(const struct record *r)
{
	size_t off = 0;
	const char *target = record_string(r, &off);
	const char *path = record_string(r, &off);
	char parent[4096], base[4096], at[64];
	snprintf(parent, sizeof(parent), "%s", path);
	snprintf(base, sizeof(base), "%s", path);
	int parent_fd = mkdir_all_in_root(dirname(parent));
	if (parent_fd < 0)
		fail("symlink", "create parent of %s", path);
	int dir = open(fd_path(parent_fd, at, sizeof(at)), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (dir < 0)
		fail("symlink", "open parent of %s", path);
	if (symlinkat(target, dir, basename(base)) < 0 && errno != EEXIST)
		fail("symlink", "%s -> %s", path, target);
	close(dir);
	close(parent_fd);
}

void prepare_rootfs(const struct plan *plan)
{
	const struct record *rootfs = plan_find(plan, PLAN_ROOTFS);
	if (!rootfs)
		return;
	const struct record *prop = plan_find(plan, PLAN_ROOTFS_PROPAGATION);
	/* Nothing mounted below may propagate back to the host. */
	unsigned long propagation = prop ? (unsigned long)record_u64(prop, 0) : (MS_SLAVE | MS_REC);
	if (mount(NULL, "/", NULL, propagation, NULL) < 0)
		fail("rootfs", "set propagation of / to 0x%lx", propagation);
	/* pivot_root needs the new root to be a mount point. */
	if (mount(rootfs->data, rootfs->data, NULL, MS_BIND | MS_REC, NULL) < 0)
		fail("rootfs", "bind %s", rootfs->data);
	root_fd = open(rootfs->data, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		fail("rootfs", "open %s", rootfs->data);
	/* Mounts, devices and links in the plan's order: later ones may live inside earlier ones. */
	for (size_t i = 0; i < plan->count; i++) {
		const struct record *r = &plan->records[i];
		if (r->type == PLAN_MOUNT)
			perform_mount(r);
		else if (r->type == PLAN_DEVICE)
			create_device(r);
		else if (r->type == PLAN_SYMLINK)
			create_symlink(r);
	}
}

/* pivot_root(".", ".") then detach the old root: no directory for it is needed in the image. */
void pivot_into_rootfs(const struct plan *plan)
{
	const struct record *rootfs = plan_find(plan, PLAN_ROOTFS);
	if (!rootfs || !plan_find(plan, PLAN_PIVOT_ROOT))
		return;
	int old_root = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (old_root < 0)
		fail("pivot_root", "open /");
	if (chdir(rootfs->data) < 0)
		fail("pivot_root", "chdir %s", rootfs->data);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		fail("pivot_root", "%s", rootfs->data);
	if (fchdir(old_root) < 0)
		fail("pivot_root", "fchdir old root");
	/* The old root may be shared with the host: make it private before detaching it. */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		fail("pivot_root", "make old root slave");
	if (umount2(".", MNT_DETACH) < 0)
		fail("pivot_root", "detach old root");
	close(old_root);
	if (chdir("/") < 0)
		fail("pivot_root", "chdir /");
	close(root_fd);
	root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		fail("pivot_root", "open new /");
}

static void mask_path(const char *path)
{
	char at[64];
	int fd = open_in_root(path, O_PATH);
	if (fd < 0 && errno == ENOENT)
		return;
	if (fd < 0)
		fail("mask path", "open %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		fail("mask path", "stat %s", path);
	fd_path(fd, at, sizeof(at));
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", at, "tmpfs", MS_RDONLY, NULL) < 0)
			fail("mask path", "tmpfs on %s", path);
	} else if (mount("/dev/null", at, NULL, MS_BIND, NULL) < 0) {
		fail("mask path", "/dev/null on %s", path);
	}
	close(fd);
}

static void make_readonly(const char *path)
{
	char at[64];
	int fd = open_in_root(path, O_PATH);
	if (fd < 0 && errno == ENOENT)
		return;
	if (fd < 0)
		fail("readonly path", "open %s", path);
	fd_path(fd, at, sizeof(at));
	if (mount(at, at, NULL, MS_BIND | MS_REC, NULL) < 0)
		fail("readonly path", "bind %s", path);
	close(fd);
	fd = open_in_root(path, O_PATH);
	if (fd < 0)
		fail("readonly path", "reopen %s", path);
	remount(fd_path(fd, at, sizeof(at)), path, MS_RDONLY | MS_REC);
	close(fd);
}

void protect_paths(const struct plan *plan)
{
	if (root_fd < 0)
		return;
	for_each_record(plan, PLAN_MASK_PATH, r) mask_path(r->data);
	for_each_record(plan, PLAN_READONLY_PATH, r) make_readonly(r->data);
	if (plan_find(plan, PLAN_ROOT_READONLY))
		remount("/", "/", MS_RDONLY);
}

void write_kernel_settings(const struct plan *plan)
{
	const struct record *host = plan_find(plan, PLAN_HOSTNAME);
	const struct record *domain = plan_find(plan, PLAN_DOMAINNAME);
	if (host && sethostname(host->data, strlen(host->data)) < 0)
		fail("hostname", "%s", host->data);
	if (domain && setdomainname(domain->data, strlen(domain->data)) < 0)
		fail("domainname", "%s", domain->data);
	for_each_record(plan, PLAN_SYSCTL, r)
	{
		size_t off = 0;
		const char *path = record_string(r, &off);
		const char *value = record_string(r, &off);
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			fail("sysctl", "open %s", path);
		if (write(fd, value, strlen(value)) < 0)
			fail("sysctl", "write %s = %s", path, value);
		close(fd);
	}
}
